#pragma once
// Files compiled into the binary by cmake/EmbedFiles.cmake (migrations, the OpenAPI document).
#include <string>
#include <vector>

namespace cinerec::embedded {

struct EmbeddedFile {
  std::string path;  // relative to the folder it was embedded from, e.g. "postgres/0001_core.sql"
  std::string contents;
};

const std::vector<EmbeddedFile>& migrations();
const std::vector<EmbeddedFile>& api_docs();

}  // namespace cinerec::embedded
