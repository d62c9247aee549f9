//! jieba-rs as a tantivy tokenizer.
//!
//! Our own ~80 lines rather than the `tantivy-jieba` crate: that crate pulls `lazy_static`
//! and jieba's default features, keeps punctuation and whitespace as tokens, and does not
//! lower-case Latin text; here we choose search-mode cutting for documents, drop tokens
//! with no letter or digit, lower-case, and share one dictionary (loaded once, embedded in
//! the binary, no download) between indexing and query cutting.

use std::sync::LazyLock;

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the index.
pub const TOKENIZER_NAME: &str = "zh_jieba";

/// Most query words used; more are ignored (hostile or pasted long text).
const MAX_QUERY_WORDS: usize = 16;
/// Most query characters looked at.
const MAX_QUERY_CHARS: usize = 200;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Whether a token is a word: it has a letter or a digit (CJK ideographs are letters).
fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// Segments `text` for indexing: jieba search mode (a long word and its dictionary
/// sub-words), words only, lower-cased. Positions are the token ordinals.
pub fn index_tokens(text: &str) -> Vec<Token> {
    JIEBA
        .tokenize(text, TokenizeMode::Search, true)
        .into_iter()
        .filter(|t| is_word(t.word))
        .enumerate()
        .map(|(position, t)| Token {
            offset_from: t.byte_start,
            offset_to: t.byte_end,
            position,
            text: t.word.to_lowercase(),
            position_length: 1,
        })
        .collect()
}

/// The words of a user query: jieba default mode (食品安全 stays one word), words only,
/// lower-cased, deduplicated, at most 16 from the first 200 characters.
pub fn query_words(text: &str) -> Vec<String> {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    for t in JIEBA.cut(&text, true) {
        let w = t.word.trim().to_lowercase();
        if is_word(&w) && !out.contains(&w) {
            out.push(w);
            if out.len() == MAX_QUERY_WORDS {
                break;
            }
        }
    }
    out
}

/// A query word no document has as a token, cut into its dictionary pieces (no HMM).
pub fn query_pieces(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in JIEBA.cut(word, false) {
        let w = t.word.to_lowercase();
        if is_word(&w) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The tokenizer registered in the index.
#[derive(Clone, Default)]
pub struct JiebaTokenizer {
    tokens: Vec<Token>,
}

/// A stream over pre-cut tokens.
pub struct JiebaTokenStream<'a> {
    tokens: &'a mut [Token],
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        self.tokens = index_tokens(text);
        JiebaTokenStream { tokens: &mut self.tokens, index: 0 }
    }
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        index_tokens(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn search_mode_emits_sub_words() {
        let w = words("经营不符合食品安全标准的食品");
        assert!(w.contains(&"食品安全".to_owned()), "{w:?}");
        assert!(w.contains(&"食品".to_owned()), "{w:?}");
        assert!(w.contains(&"安全".to_owned()), "{w:?}");
    }

    #[test]
    fn punctuation_dropped_latin_lowercased() {
        let w = words("<script>alert('X')</script>，。！");
        assert_eq!(w, vec!["script", "alert", "x", "script"]);
    }

    #[test]
    fn query_words_default_mode_dedup_and_capped() {
        assert_eq!(query_words("食品安全"), vec!["食品安全"]);
        assert_eq!(query_words("\") OR *:*"), vec!["or"]);
        assert!(query_words("").is_empty());
        assert!(query_words(&"食品 ".repeat(1000)).len() <= MAX_QUERY_WORDS);
    }
}
