#include "cli.hpp"

int main(int argc, char** argv) {
  return homectl::cli::run(argc, argv);
}
