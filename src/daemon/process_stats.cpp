#include "homectl/daemon/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace homectl::daemon {

std::optional<ProcessStats> read_process_stats() {
  ProcessStats stats;
  std::ifstream statm("/proc/self/statm");
  long long size_pages = 0;
  long long resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) {
    return std::nullopt;
  }
  const auto page_size = static_cast<double>(::sysconf(_SC_PAGESIZE));
  stats.resident_memory_bytes = static_cast<double>(resident_pages) * page_size;

  std::ifstream stat_file("/proc/self/stat");
  std::string line;
  std::getline(stat_file, line);
  // Fields after the command name (which may hold spaces and parentheses).
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  // state is field 3; utime and stime are fields 14 and 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) {
      utime = std::stod(field);
    } else if (index == 15) {
      stime = std::stod(field);
    }
  }
  stats.cpu_seconds = (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));

  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    stats.open_fds += 1;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    stats.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return stats;
}

} // namespace homectl::daemon
