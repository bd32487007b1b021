#include "common/tab_separated.h"

namespace cinerec {
namespace {

// Runs of bytes that need no escape are appended at once; `quote` is also escaped when not '\0'.
void AppendEscaped(std::string& out, std::string_view text, char quote) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char* escaped = c == '\\'                     ? "\\\\"
                          : c == '\t'                   ? "\\t"
                          : c == '\n'                   ? "\\n"
                          : c == '\r'                   ? "\\r"
                          : quote != '\0' && c == quote ? "\\'"
                                                        : nullptr;
    if (escaped == nullptr) continue;
    out.append(text.data() + run, i - run);
    out += escaped;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

}  // namespace

void AppendTabSeparated(std::string& out, std::string_view text) {
  AppendEscaped(out, text, '\0');
}

void AppendTabSeparatedQuoted(std::string& out, std::string_view text) {
  out += '\'';
  AppendEscaped(out, text, '\'');
  out += '\'';
}

}  // namespace cinerec
