#pragma once

#include <string>
#include <string_view>

// Writing man(7) source safely: text from command and setting definitions may
// hold characters that roff reads as requests or escapes.
namespace homectl::docs {

// Escapes text for a roff text line: backslashes, hyphens (as \-, so options
// stay copyable), and a leading dot or apostrophe that would start a request.
std::string roff_escape(std::string_view text);

// Escapes and fills a paragraph: lines are joined, and every sentence-ending
// period starts a new output line, as man(7) style expects.
std::string roff_paragraph(std::string_view text);

// Quotes a macro argument ("a b" -> "\"a b\""), escaping as above.
std::string roff_argument(std::string_view text);

} // namespace homectl::docs
