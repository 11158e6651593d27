#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace homectl::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "homectl-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::string homectl_binary() {
  const char* override_path = std::getenv("HOMECTL_TEST_BINARY");
  return override_path != nullptr && *override_path != '\0' ? override_path : HOMECTL_BINARY;
}

namespace {

// fork + execve of homectl_binary() with stdout/stderr to files in `dir`.
int spawn(const std::vector<std::string>& args, const Environment& extra,
          const std::filesystem::path& dir) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.starts_with("HOMECTL_TEST_")) {
      continue; // settings of this suite, not of homectl
    }
    auto eq = entry.find('=');
    if (eq != std::string::npos) {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  for (const auto& [name, value] : extra) {
    if (value.empty()) {
      env.erase(name);
    } else {
      env[name] = value;
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) {
    env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{homectl_binary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);
  const std::string out_path = (dir / "stdout").string();
  const std::string err_path = (dir / "stderr").string();

  const pid_t pid = fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> wait_pid(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "homectl-proc-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return tmpl;
}

} // namespace

ProcessResult run_homectl(const std::vector<std::string>& args, const Environment& extra,
                          std::chrono::milliseconds timeout) {
  TempDir io;
  const int pid = spawn(args, extra, io.path());
  ProcessResult result;
  auto code = wait_pid(pid, timeout);
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    result.timed_out = true;
  } else {
    result.exit_code = *code;
  }
  result.out = read_file(io / "stdout");
  result.err = read_file(io / "stderr");
  return result;
}

BackgroundHomectl::BackgroundHomectl(const std::vector<std::string>& args, const Environment& extra)
    : m_dir(make_temp_dir()) {
  m_pid = spawn(args, extra, m_dir);
}

BackgroundHomectl::~BackgroundHomectl() {
  if (!m_exit) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(m_dir, ec);
}

void BackgroundHomectl::signal(int sig) {
  if (!m_exit) {
    kill(m_pid, sig);
  }
}

std::optional<int> BackgroundHomectl::wait_for(std::chrono::milliseconds timeout) {
  if (!m_exit) {
    m_exit = wait_pid(m_pid, timeout);
  }
  return m_exit;
}

std::string BackgroundHomectl::out() const {
  return read_file(m_dir / "stdout");
}
std::string BackgroundHomectl::err() const {
  return read_file(m_dir / "stderr");
}

} // namespace homectl::testing
