//! Words as the assistant compares them: split on Unicode word boundaries, lowercased, reduced to
//! their Snowball stems (Russian for words with Cyrillic letters, English otherwise). Escalation
//! phrases match on them, and the built-in responder counts the question's content words a
//! sentence shares.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

/// Words that carry no content in a question (compared before stemming).
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "be",
    "been",
    "do",
    "does",
    "did",
    "i",
    "i'm",
    "me",
    "my",
    "we",
    "our",
    "you",
    "your",
    "it",
    "its",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "and",
    "or",
    "but",
    "can",
    "could",
    "how",
    "what",
    "when",
    "which",
    "who",
    "why",
    "where",
    "will",
    "would",
    "should",
    "this",
    "that",
    "there",
    "from",
    "with",
    "if",
    "after",
    "about",
    "have",
    "has",
    "get",
    "so",
    "any",
    "there",
    "much",
    "many",
    "long",
    "и",
    "в",
    "во",
    "не",
    "что",
    "на",
    "я",
    "с",
    "со",
    "как",
    "а",
    "то",
    "все",
    "так",
    "но",
    "да",
    "к",
    "у",
    "же",
    "вы",
    "за",
    "бы",
    "по",
    "мне",
    "меня",
    "мой",
    "моя",
    "мои",
    "от",
    "о",
    "об",
    "из",
    "ли",
    "если",
    "или",
    "до",
    "для",
    "мы",
    "чем",
    "это",
    "этот",
    "эта",
    "при",
    "после",
    "можно",
    "ли",
    "сколько",
    "какой",
    "какая",
    "какие",
    "когда",
    "где",
    "почему",
    "нужно",
    "ваш",
    "вас",
    "есть",
    "будет",
    "у",
    "меня",
];

/// The words of `text`, lowercased and stemmed.
pub fn stems(text: &str) -> Vec<String> {
    words(text).map(|(_, s)| s).collect()
}

/// The stems of the content words of `text` (stop words left out).
pub fn content_terms(text: &str) -> HashSet<String> {
    words(text)
        .filter(|(w, _)| !STOP_WORDS.contains(&w.as_str()))
        .map(|(_, s)| s)
        .collect()
}

/// (lowercased word, its stem) for every word of `text`.
fn words(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let en = Stemmer::create(Algorithm::English);
    let ru = Stemmer::create(Algorithm::Russian);
    text.unicode_words().map(move |w| {
        let w = w.to_lowercase().replace('ё', "е").replace('’', "'");
        let cyrillic = w.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        let stem = if cyrillic { ru.stem(&w) } else { en.stem(&w) }.into_owned();
        (w, stem)
    })
}

/// The share of `question`'s content terms that `sentence` also has (0 when it has none).
pub fn overlap(question: &HashSet<String>, sentence: &HashSet<String>) -> f64 {
    if question.is_empty() {
        return 0.0;
    }
    question.intersection(sentence).count() as f64 / question.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_of_both_languages_share_their_terms() {
        let q = content_terms("How long is the password reset link valid?");
        let s = content_terms("The reset link is valid for 60 minutes and can be used only once.");
        assert_eq!(overlap(&q, &s), 0.75, "{q:?} {s:?}");
        let q = content_terms("Сколько действует ссылка для сброса пароля?");
        let s = content_terms("Ссылка для сброса действует 60 минут и только один раз.");
        assert!(overlap(&q, &s) >= 0.75, "{q:?} {s:?}");
        assert_eq!(overlap(&HashSet::new(), &s), 0.0);
        assert_eq!(stems("Refunds REFUNDED"), vec!["refund", "refund"]);
    }
}
