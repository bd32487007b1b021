#include "ml/hybrid_model_bundle.h"

#include <fmt/format.h>

#include "ml/hybrid_parts.h"
#include "modelstore/model_bundle.h"

namespace cinerec::ml {
namespace {

using modelstore::Artefact;
using modelstore::ElementType;
using modelstore::Layout;
using modelstore::ModelBundle;

// Artefact names (docs/model-store.md).
constexpr const char* kBlendWeights = "blend_weights";     // float32 [als, item, popularity, genre, content]
constexpr const char* kAlsParameters = "als_parameters";   // float32 [regularization, alpha]
constexpr const char* kGenreNames = "genre_names";         // uint8 ragged: UTF-8 name per genre
constexpr const char* kItemGenres = "item_genres";         // int32 ragged: genre indices per movie
constexpr const char* kItemWeightIds = "item_weight_ids";  // int32 movies x K
constexpr const char* kItemWeights = "item_weights";       // float32 movies x K
constexpr const char* kContentParameters = "content_parameters";  // int32 [term_buckets, year edges...]
constexpr const char* kContentWeights = "content_weights";        // float32 features x factors
constexpr const char* kContentVectors = "content_vectors";        // float32 movies x factors

template <typename T>
std::span<const T> Span(const std::vector<T>& v) {
  return {v.data(), v.size()};
}

const Artefact& Expect(const ModelBundle& b, std::string_view name, ElementType type, Layout layout) {
  const Artefact& a = b.Get(name);
  if (a.element_type() != type || a.layout() != layout)
    throw modelstore::ModelStoreError(fmt::format("model {}: artefact {} is {} {}, expected {} {}",
                                                  b.version(), name, ToString(a.element_type()),
                                                  ToString(a.layout()), ToString(type), ToString(layout)));
  return a;
}

template <typename T>
std::vector<T> ToVector(const Artefact& a) {
  const auto v = a.Values<T>();
  return {v.begin(), v.end()};
}

template <typename T>
void Ragged(ModelBundle& bundle, const char* name, const std::vector<std::vector<T>>& rows) {
  std::vector<std::uint64_t> offsets{0};
  std::vector<T> values;
  for (const auto& row : rows) {
    values.insert(values.end(), row.begin(), row.end());
    offsets.push_back(values.size());
  }
  bundle.Add(Artefact::Ragged<T>(name, offsets, values));
}

template <typename T>
std::vector<std::vector<T>> FromRagged(const Artefact& a) {
  const auto offsets = a.Offsets();
  const auto values = a.Values<T>();
  std::vector<std::vector<T>> rows(a.rows());
  for (std::size_t r = 0; r < rows.size(); ++r)
    rows[r].assign(values.begin() + static_cast<std::ptrdiff_t>(offsets[r]),
                   values.begin() + static_cast<std::ptrdiff_t>(offsets[r + 1]));
  return rows;
}

}  // namespace

void AddHybridArtefacts(const HybridModel::Parts& p, ModelBundle& bundle) {
  { HybridModel check(p); }  // throws on inconsistent parts, before anything is added
  const auto items = static_cast<std::uint64_t>(p.items.size());
  const auto factors = static_cast<std::uint64_t>(p.factors);
  bundle.Add(Artefact::Vector<std::int64_t>("item_ids", Span(p.items.ids())));
  bundle.Add(Artefact::Matrix<float>("item_factors", items, factors, Span(p.item_factors)));
  bundle.Add(Artefact::Matrix<std::int32_t>("neighbor_ids", items, static_cast<std::uint64_t>(p.neighbor_k),
                                            Span(p.neighbor_ids)));
  bundle.Add(Artefact::Matrix<float>("neighbor_scores", items, static_cast<std::uint64_t>(p.neighbor_k),
                                     Span(p.neighbor_scores)));
  bundle.Add(Artefact::Vector<float>("popularity", Span(p.popularity)));
  const std::vector<float> blend{p.weights.als, p.weights.item, p.weights.popularity, p.weights.genre,
                                 p.weights.content};
  bundle.Add(Artefact::Vector<float>(kBlendWeights, Span(blend)));
  const std::vector<float> als{p.regularization, p.alpha};
  bundle.Add(Artefact::Vector<float>(kAlsParameters, Span(als)));
  std::vector<std::vector<std::uint8_t>> names;
  for (const auto& g : p.genre_names)
    names.emplace_back(g.begin(), g.end());
  Ragged(bundle, kGenreNames, names);
  Ragged(bundle, kItemGenres, p.item_genres);
  bundle.Add(Artefact::Matrix<std::int32_t>(kItemWeightIds, items, static_cast<std::uint64_t>(p.item_k),
                                            Span(p.item_weight_ids)));
  bundle.Add(Artefact::Matrix<float>(kItemWeights, items, static_cast<std::uint64_t>(p.item_k),
                                     Span(p.item_weights)));
  if (!p.content_weights.empty()) {
    std::vector<std::int32_t> params{p.term_buckets};
    params.insert(params.end(), p.year_edges.begin(), p.year_edges.end());
    bundle.Add(Artefact::Vector<std::int32_t>(kContentParameters, Span(params)));
    bundle.Add(Artefact::Matrix<float>(kContentWeights, p.content_weights.size() / factors, factors,
                                       Span(p.content_weights)));
    bundle.Add(Artefact::Matrix<float>(kContentVectors, items, factors, Span(p.content_vectors)));
  }
}

std::shared_ptr<const HybridModel> HybridModel::FromBundle(const ModelBundle& b) {
  try {
    Parts p;
    p.version = b.version();
    if (const auto* users = b.Find("user_ids")) p.users = IdMap(ToVector<std::int64_t>(*users));
    p.items = IdMap(ToVector<std::int64_t>(Expect(b, "item_ids", ElementType::kInt64, Layout::kVector)));
    const auto& factors = Expect(b, "item_factors", ElementType::kFloat32, Layout::kMatrix);
    p.factors = static_cast<int>(factors.cols());
    p.item_factors = ToVector<float>(factors);
    const auto& neighbor_ids = Expect(b, "neighbor_ids", ElementType::kInt32, Layout::kMatrix);
    p.neighbor_k = static_cast<int>(neighbor_ids.cols());
    p.neighbor_ids = ToVector<std::int32_t>(neighbor_ids);
    p.neighbor_scores = ToVector<float>(Expect(b, "neighbor_scores", ElementType::kFloat32, Layout::kMatrix));
    p.popularity = ToVector<float>(Expect(b, "popularity", ElementType::kFloat32, Layout::kVector));
    if (const auto* blend = b.Find(kBlendWeights)) {
      const auto w = Expect(b, kBlendWeights, ElementType::kFloat32, Layout::kVector).Values<float>();
      if (w.size() != 5) throw std::invalid_argument("blend_weights must hold 5 values");
      p.weights = {w[0], w[1], w[2], w[3], w[4]};
      (void)blend;
    } else {
      p.weights = {1, 0, 0, 0, 0};  // a bundle from before the blend: ALS alone
    }
    if (b.Find(kAlsParameters)) {
      const auto a = Expect(b, kAlsParameters, ElementType::kFloat32, Layout::kVector).Values<float>();
      if (a.size() != 2) throw std::invalid_argument("als_parameters must hold 2 values");
      p.regularization = a[0];
      p.alpha = a[1];
    }
    if (b.Find(kGenreNames)) {
      for (const auto& name :
           FromRagged<std::uint8_t>(Expect(b, kGenreNames, ElementType::kUint8, Layout::kRagged)))
        p.genre_names.emplace_back(name.begin(), name.end());
      p.item_genres = FromRagged<std::int32_t>(Expect(b, kItemGenres, ElementType::kInt32, Layout::kRagged));
    } else {
      p.item_genres.resize(static_cast<std::size_t>(p.items.size()));
    }
    if (b.Find(kItemWeightIds)) {
      const auto& ids = Expect(b, kItemWeightIds, ElementType::kInt32, Layout::kMatrix);
      p.item_k = static_cast<int>(ids.cols());
      p.item_weight_ids = ToVector<std::int32_t>(ids);
      p.item_weights = ToVector<float>(Expect(b, kItemWeights, ElementType::kFloat32, Layout::kMatrix));
    }
    if (b.Find(kContentWeights)) {
      const auto params =
          Expect(b, kContentParameters, ElementType::kInt32, Layout::kVector).Values<std::int32_t>();
      if (params.empty()) throw std::invalid_argument("content_parameters is empty");
      p.term_buckets = params[0];
      p.year_edges.assign(params.begin() + 1, params.end());
      p.content_weights = ToVector<float>(Expect(b, kContentWeights, ElementType::kFloat32, Layout::kMatrix));
      p.content_vectors = ToVector<float>(Expect(b, kContentVectors, ElementType::kFloat32, Layout::kMatrix));
    }
    return std::make_shared<const HybridModel>(std::move(p));
  } catch (const modelstore::ModelStoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw modelstore::ModelStoreError(fmt::format("model {} refused: {}", b.version(), e.what()));
  }
}

}  // namespace cinerec::ml
