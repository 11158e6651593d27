#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace homectl::util {

// Edit distance (insert, delete, substitute, adjacent swap) between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> did_you_mean(std::string_view word,
                                        std::span<const std::string> candidates);

// Lower/upper-case ASCII copies.
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);

// ASCII case-insensitive equality (header names, host names).
bool iequals(std::string_view a, std::string_view b);

// Splits on a single character; keeps empty fields.
std::vector<std::string> split(std::string_view s, char sep);

// The words with `separator` between them.
std::string join(std::span<const std::string> words, std::string_view separator);

// Left-aligned text columns two spaces apart, one line per row, no trailing
// white space (the tables of the one-shot commands).
std::string render_columns(const std::vector<std::vector<std::string>>& rows);

// Strips ASCII white space from both ends.
std::string_view trim(std::string_view s);

// Compares two strings in time independent of where they differ (for secrets).
bool constant_time_equal(std::string_view a, std::string_view b);

// `text` in double quotes, as error messages show what they quote.
std::string quote(std::string_view text);

} // namespace homectl::util
