#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

// Running the real homectl binary from integration tests: bounded in time,
// output captured, environment controlled.
namespace homectl::testing {

struct ProcessResult {
  int exit_code = -1; // -1 when killed after the timeout
  std::string out;
  std::string err;
  bool timed_out = false;
};

// The environment of this process plus `extra` (empty value = unset).
using Environment = std::map<std::string, std::string>;

// The homectl binary under test: HOMECTL_BINARY, or $HOMECTL_TEST_BINARY when
// set (e.g. a ThreadSanitizer build driven by this suite).
std::string homectl_binary();

// Runs homectl_binary() with `args`; kills it after `timeout`.
ProcessResult run_homectl(const std::vector<std::string>& args, const Environment& extra = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A homectl process running in the background (killed at destruction).
class BackgroundHomectl {
public:
  BackgroundHomectl(const std::vector<std::string>& args, const Environment& extra = {});
  ~BackgroundHomectl();
  BackgroundHomectl(const BackgroundHomectl&) = delete;
  BackgroundHomectl& operator=(const BackgroundHomectl&) = delete;

  // Sends a signal to the process.
  void signal(int sig);
  // Waits for the exit; nullopt when it is still running after `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Output so far.
  std::string out() const;
  std::string err() const;

private:
  std::filesystem::path m_dir;
  int m_pid = -1;
  std::optional<int> m_exit;
};

// A fresh temporary directory removed at destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
  std::filesystem::path m_path;
};

// Reads a whole file ("" when missing).
std::string read_file(const std::filesystem::path& path);
// Writes a whole file.
void write_file(const std::filesystem::path& path, const std::string& text);

} // namespace homectl::testing
