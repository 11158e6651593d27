#include "homectl/docs/roff.hpp"

#include <gtest/gtest.h>

namespace homectl::docs {
namespace {

TEST(DocsRoff, EscapesBackslashesHyphensAndLeadingDots) {
  EXPECT_EQ(roff_escape("--quiet"), "\\-\\-quiet");
  EXPECT_EQ(roff_escape("a\\b"), "a\\eb");
  EXPECT_EQ(roff_escape(".hidden\n'quote"), "\\&.hidden\n\\&'quote");
  EXPECT_EQ(roff_escape("a.b"), "a.b") << "only a dot at the start of a line is a request";
}

TEST(DocsRoff, TurnsNonAsciiIntoNamedCodePoints) {
  EXPECT_EQ(roff_escape("a \xE2\x86\x92 b"), "a \\[u2192] b");
  EXPECT_EQ(roff_escape("\xC3\xA9"), "\\[u00E9]");
  EXPECT_EQ(roff_escape("bad \xFF byte"), "bad ? byte");
  EXPECT_EQ(roff_escape("cut \xE2\x86"), "cut ??");
}

TEST(DocsRoff, ParagraphStartsEachSentenceOnANewLine) {
  EXPECT_EQ(roff_paragraph("One  two.\nThree, e.g. 30s. Four!  Five"),
            "One two.\nThree, e.g. 30s.\nFour!\nFive");
  EXPECT_EQ(roff_paragraph("  trailing  "), "trailing");
  EXPECT_EQ(roff_paragraph("See /etc/x and HOMECTL_URL."), "See \\%/etc/x and \\%HOMECTL_URL.")
      << "paths and identifiers are not hyphenated";
}

TEST(DocsRoff, ParagraphWrapsLongLinesAndGuardsDotsAtTheirStart) {
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += "word-" + std::to_string(i) + " ";
  }
  text += ".dotfile";
  const auto out = roff_paragraph(text);
  std::size_t start = 0;
  std::size_t lines = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    end = end == std::string::npos ? out.size() : end;
    EXPECT_LT(end - start, 80U) << out.substr(start, end - start);
    EXPECT_NE(out[start], '.');
    start = end + 1;
    ++lines;
  }
  EXPECT_GT(lines, 2U);
  EXPECT_NE(out.find("\\-"), std::string::npos);
}

TEST(DocsRoff, ArgumentIsQuotedWithDoubledQuotes) {
  EXPECT_EQ(roff_argument("homectl config show"), "\"homectl config show\"");
  EXPECT_EQ(roff_argument("say \"hi\" -x"), "\"say \"\"hi\"\" \\-x\"");
}

} // namespace
} // namespace homectl::docs
