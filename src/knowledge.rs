//! Knowledge-base values kept in the database as text: a document's type, an ingestion job's
//! status and the language of a text (their text is derived once, see `db::text_enum!`).

crate::db::text_enum! {
    "lowercase":
    /// What kind of text a document is.
    pub enum DocumentType {
        /// How to do something.
        Guide,
        /// Reference of an API.
        Api,
        /// Questions and answers.
        Faq,
        /// Rules the company keeps.
        Policy,
        /// Anything else (the default).
        Other,
    }
}

crate::db::text_enum! {
    "lowercase":
    /// Where an ingestion job is.
    pub enum JobStatus {
        /// Waiting for a worker (new, or to be retried at `next_attempt_at`).
        Pending,
        /// Held by a worker until `locked_until`; a worker that dies lets it expire and another
        /// takes over.
        Running,
        /// Every document is indexed.
        Completed,
        /// Out of attempts; see `error_log`.
        Failed,
    }
}

crate::db::text_enum! {
    "lowercase":
    /// The language a text is indexed in for keyword search: English and Russian are stemmed (the
    /// PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
    /// (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
    /// `language` column lists the same values.
    pub enum Language {
        /// English (stemmed, English stop words).
        En,
        /// Russian (stemmed, Russian stop words).
        Ru,
        /// Any other language: words are matched as written (lower case, no stemming).
        Other,
    }
}

impl Language {
    /// The language of `text` as detected by `whatlang` (trigrams and scripts): English or
    /// Russian when it says so; `other` when it is sure of another language. A short text it
    /// cannot be sure of ("Printer jammed") is taken by its script: Latin as English, Cyrillic
    /// as Russian (the languages this service stems), anything else `other`.
    pub fn detect(text: &str) -> Self {
        // Detection reads the first few thousand characters: enough to tell a language, and
        // the cost stays flat for long documents.
        let head: String = text.chars().take(4000).collect();
        match whatlang::detect(&head) {
            Some(i) if i.lang() == whatlang::Lang::Eng => Self::En,
            Some(i) if i.lang() == whatlang::Lang::Rus => Self::Ru,
            Some(i) if i.is_reliable() => Self::Other,
            _ => match whatlang::detect_script(&head) {
                Some(whatlang::Script::Latin) => Self::En,
                Some(whatlang::Script::Cyrillic) => Self::Ru,
                _ => Self::Other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn english_and_russian_text_is_detected_and_anything_else_is_other() {
        assert_eq!(
            Language::detect("How do I stop my router from rebooting every night?"),
            Language::En
        );
        assert_eq!(
            Language::detect("Как сбросить пароль от личного кабинета?"),
            Language::Ru
        );
        assert_eq!(
            Language::detect(
                "Wie kann ich mein Passwort zurücksetzen, wenn ich es vergessen habe?"
            ),
            Language::Other
        );
        assert_eq!(Language::detect("Printer jammed"), Language::En);
        assert_eq!(Language::detect("Не печатает"), Language::Ru);
        assert_eq!(Language::detect("1234 5678"), Language::Other);
        assert_eq!(Language::detect("パスワードを忘れました"), Language::Other);
    }
}
