#include "ingest/generator_text.h"

#include <array>

namespace cinerec::ingest {
namespace {

constexpr std::array<const char*, 32> kAdjectives = {
    "Silent", "Last",     "Broken",  "Hidden",   "Golden",    "Dark",    "Crimson",  "Lost",
    "Frozen", "Wild",     "Secret",  "Distant",  "Burning",   "Quiet",   "Endless",  "Hollow",
    "Final",  "Electric", "Savage",  "Gentle",   "Restless",  "Iron",    "Midnight", "Bitter",
    "Brave",  "Fragile",  "Scarlet", "Northern", "Invisible", "Eternal", "Lonely",   "Sudden"};
constexpr std::array<const char*, 32> kNouns = {
    "River",    "Empire",   "Garden",  "Kingdom", "Shadow",  "Harbor", "Storm",   "Promise",
    "Mirror",   "Frontier", "Machine", "Orchard", "Signal",  "Voyage", "Winter",  "Summer",
    "Stranger", "Island",   "Horizon", "Letter",  "Circus",  "Engine", "Dream",   "Witness",
    "Tide",     "Fortress", "Canyon",  "Ghost",   "Station", "Crown",  "Lantern", "Echo"};
constexpr std::array<const char*, 16> kNames = {"Anna",  "Marco", "Yuki",  "Oliver", "Amara", "Lena",
                                                "Diego", "Ines",  "Tomas", "Priya",  "Jonah", "Sofia",
                                                "Kwame", "Elena", "Hugo",  "Mei"};
constexpr std::array<const char*, 24> kRoles = {
    "detective", "teacher", "pilot",    "smuggler", "scientist", "widow",  "boxer",    "chef",
    "soldier",   "thief",   "musician", "hacker",   "nurse",     "farmer", "reporter", "prince",
    "robot",     "sailor",  "doctor",   "painter",  "lawyer",    "spy",    "orphan",   "astronaut"};
constexpr std::array<const char*, 20> kActions = {
    "must confront", "falls for",  "searches for", "runs from",  "uncovers",     "fights",   "tries to save",
    "betrays",       "protects",   "hunts",        "returns to", "escapes from", "inherits", "investigates",
    "rebuilds",      "challenges", "guards",       "remembers",  "steals",       "befriends"};
constexpr std::array<const char*, 20> kObjects = {
    "a forgotten past",  "a dangerous rival",   "an ancient secret", "a lost family",     "a corrupt city",
    "a stolen fortune",  "a mysterious signal", "an old friend",     "a dying planet",    "a small village",
    "a powerful empire", "a broken promise",    "a hidden treasure", "an unlikely ally",  "a haunted house",
    "a runaway train",   "a secret society",    "a rising flood",    "a vanished sister", "a deadly virus"};
constexpr std::array<const char*, 16> kPlaces = {
    "in post-war Berlin",       "on a remote island",   "in near-future Tokyo", "across the desert",
    "in a small mountain town", "aboard a starship",    "in 1920s Chicago",     "beneath the sea",
    "in a crumbling palace",    "on the open road",     "in a busy hospital",   "at the edge of the world",
    "in a sleepy suburb",       "during a long winter", "in the jungle",        "inside a prison"};
constexpr std::array<const char*, 8> kTails = {"Nothing is what it seems.",
                                               "Time is running out.",
                                               "Old wounds reopen.",
                                               "Love changes everything.",
                                               "The truth comes at a price.",
                                               "Every choice has consequences.",
                                               "Trust no one.",
                                               "Home is far away."};

constexpr std::array<const char*, 16> kSyllables = {"ka", "lo",  "mir", "ven",  "dar", "os",  "tel", "bri",
                                                    "no", "sav", "ru",  "quen", "ith", "zol", "em",  "gar"};

template <typename Array>
const char* Pick(Rng& rng, const Array& words) {
  return words[rng.Below(words.size())];
}

}  // namespace

std::string SyntheticTitle(Rng& rng) {
  switch (rng.Below(5)) {
    case 0:
      return std::string("The ") + Pick(rng, kAdjectives) + " " + Pick(rng, kNouns);
    case 1:
      return std::string(Pick(rng, kNouns)) + " of the " + Pick(rng, kNouns);
    case 2:
      return std::string(Pick(rng, kNames)) + "'s " + Pick(rng, kNouns);
    case 3:
      return std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns) + ", Part "
             + std::to_string(2 + rng.Below(3));
    default:
      return std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns);
  }
}

std::string SyntheticDescription(Rng& rng) {
  std::string adjective = Pick(rng, kAdjectives);
  adjective[0] = static_cast<char>(adjective[0] - 'A' + 'a');  // the lists are capitalised for titles
  std::string text = "A " + adjective + " " + Pick(rng, kRoles) + " " + Pick(rng, kActions) + " "
                     + Pick(rng, kObjects) + " " + Pick(rng, kPlaces) + ".";
  text += std::string(" ") + Pick(rng, kTails);
  return text;
}

std::string SyntheticDirector(std::size_t circle) {
  std::string surname;
  for (std::size_t rest = circle, i = 0; i < 3; ++i, rest /= kSyllables.size())
    surname += kSyllables[rest % kSyllables.size()];
  surname[0] = static_cast<char>(surname[0] - 'a' + 'A');
  return std::string(kNames[circle % kNames.size()]) + " " + surname;
}

}  // namespace cinerec::ingest
