#include "ingest/csv_sink.h"

#include <filesystem>
#include <stdexcept>

namespace cinerec::ingest {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

CsvSink::CsvSink(const std::string& dir) {
  std::filesystem::create_directories(dir);
  movies_.open(std::filesystem::path(dir) / "movies.csv");
  ratings_.open(std::filesystem::path(dir) / "ratings.csv");
  if (!movies_ || !ratings_) throw std::runtime_error(dir + ": cannot create movies.csv / ratings.csv");
  movies_ << "movieId,title,genres\n";
  ratings_ << "userId,movieId,rating,timestamp\n";
}

void CsvSink::OnMovie(MovieRecord&& movie) {
  std::string title = movie.title;
  if (movie.year) title += " (" + std::to_string(*movie.year) + ")";
  std::string genres;
  for (const auto& g : movie.genres)
    genres += (genres.empty() ? "" : "|") + g;
  movies_ << movie.id << ',' << CsvField(title) << ','
          << CsvField(genres.empty() ? "(no genres listed)" : genres) << '\n';
}

void CsvSink::OnInteraction(const Interaction& i) {
  const char* rating = i.reaction > 0 ? "5.0" : i.reaction < 0 ? "1.0" : "3.0";
  ratings_ << i.user << ',' << i.movie << ',' << rating << ',' << i.stop_time << '\n';
}

}  // namespace cinerec::ingest
