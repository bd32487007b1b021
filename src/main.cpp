// The `cinerec` executable: everything lives in the library; this only hands over the command line.
#include "app/commands.h"

int main(int argc, char** argv) {
  return cinerec::RunCli(argc, argv);
}
