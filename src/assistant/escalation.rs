//! When the assistant hands a ticket to a human, and why. Four rules, checked in this order:
//!
//! 1. `keyword`: the question contains one of the tenant's escalation phrases ("refund",
//!    "lawsuit", "возврат", "cancel my account", …);
//! 2. `human_request`: the customer asks for a person ("speak to a human", "позовите оператора");
//! 3. `low_score`: the best knowledge-base match is below the tenant's threshold (or there is none);
//! 4. `cannot_help`: the answer itself says it cannot help ("I don't know", "не могу помочь").
//!
//! Phrases match on word forms, not substrings: text and phrases are split into words, lowercased
//! and reduced to their Snowball stems (`text.rs`), and a phrase matches a run of consecutive
//! words of the text. So "refunds", "refunded" and "refund" match
//! "refund", "возврата" and "возвратом" match "возврат", "в суде" matches "суд", while "судно"
//! (a ship) does not, and neither does "prefund".

use serde::{Deserialize, Serialize};

pub use super::text::stems;

/// The tenant's default escalation keywords: money back, legal threats, complaints, leaving.
pub const DEFAULT_KEYWORDS: &[&str] = &[
    "refund",
    "chargeback",
    "money back",
    "lawsuit",
    "lawyer",
    "attorney",
    "legal action",
    "court",
    "fraud",
    "complaint",
    "cancel my account",
    "close my account",
    "cancel my subscription",
    "возврат",
    "вернуть деньги",
    "верните деньги",
    "чарджбэк",
    "суд",
    "иск",
    "юрист",
    "адвокат",
    "жалоба",
    "мошенничество",
    "расторгнуть договор",
    "удалить аккаунт",
    "отменить подписку",
];

/// An explicit request for a person.
const HUMAN_REQUEST: &[&str] = &[
    "speak to a human",
    "talk to a human",
    "speak to a person",
    "talk to a person",
    "speak to someone",
    "talk to someone",
    "speak to an agent",
    "talk to an agent",
    "speak to a real person",
    "talk to a real person",
    "real person",
    "human agent",
    "live agent",
    "speak with a human",
    "speak with a person",
    "speak with an agent",
    "connect me to an agent",
    "connect me with an agent",
    "customer service representative",
    "живой человек",
    "живым человеком",
    "позовите оператора",
    "соедините с оператором",
    "связаться с оператором",
    "поговорить с оператором",
    "поговорить с человеком",
    "позовите человека",
    "нужен оператор",
    "хочу оператора",
    "с сотрудником поддержки",
];

/// What an answer says when it has nothing (the built-in responder's own message included).
const CANNOT_HELP: &[&str] = &[
    "i don't know",
    "i do not know",
    "i cannot help",
    "i can't help",
    "i am unable to help",
    "i'm unable to help",
    "i could not find",
    "i couldn't find",
    "not able to answer",
    "cannot answer",
    "can't answer",
    "no information about",
    "the sources do not",
    "the sources don't",
    "не знаю",
    "не могу помочь",
    "не могу ответить",
    "не нашёл ответа",
    "не нашел ответа",
    "нет информации",
];

crate::db::text_enum! {
    "snake_case":
    /// Which rule escalated.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Rule {
        /// The question contains one of the tenant's escalation keywords.
        Keyword,
        /// The customer asked for a person.
        HumanRequest,
        /// Nothing in the knowledge base matched well enough (best score below the threshold).
        LowScore,
        /// The answer says it cannot help.
        CannotHelp,
    }
}

/// A decision to escalate: the rule and a sentence naming what fired it.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub rule: Rule,
    pub reason: String,
}

/// Phrases prepared for matching.
pub struct Phrases {
    phrases: Vec<(String, Vec<String>)>,
}

impl Phrases {
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Self {
        Self {
            phrases: phrases
                .iter()
                .map(|p| (p.as_ref().to_string(), stems(p.as_ref())))
                .filter(|(_, s)| !s.is_empty())
                .collect(),
        }
    }

    /// The first phrase whose words occur consecutively in `words` (see [`stems`]).
    pub fn find(&self, words: &[String]) -> Option<&str> {
        self.phrases
            .iter()
            .find(|(_, p)| words.windows(p.len()).any(|w| w == p.as_slice()))
            .map(|(orig, _)| orig.as_str())
    }
}

/// The escalation rules of one tenant.
pub struct Rules {
    keywords: Phrases,
    human: Phrases,
    cannot_help: Phrases,
    threshold: f64,
}

impl Rules {
    pub fn new(keywords: &[String], threshold: f64) -> Self {
        Self {
            keywords: Phrases::new(keywords),
            human: Phrases::new(HUMAN_REQUEST),
            cannot_help: Phrases::new(CANNOT_HELP),
            threshold,
        }
    }

    /// Whether to escalate a question, given the best retrieval score (None: nothing retrieved)
    /// and the answer.
    pub fn check(
        &self,
        question: &str,
        best_score: Option<f64>,
        answer: &str,
    ) -> Option<Escalation> {
        let q = stems(question);
        if let Some(k) = self.keywords.find(&q) {
            return Some(Escalation {
                rule: Rule::Keyword,
                reason: format!("the question contains the escalation keyword \"{k}\""),
            });
        }
        if let Some(h) = self.human.find(&q) {
            return Some(Escalation {
                rule: Rule::HumanRequest,
                reason: format!("the customer asked for a person (\"{h}\")"),
            });
        }
        match best_score {
            None => {
                return Some(Escalation {
                    rule: Rule::LowScore,
                    reason: "nothing in the knowledge base matched the question".into(),
                });
            }
            Some(s) if s < self.threshold => {
                return Some(Escalation {
                    rule: Rule::LowScore,
                    reason: format!(
                        "the best knowledge-base match scored {s:.3}, below the threshold {:.3}",
                        self.threshold
                    ),
                });
            }
            Some(_) => {}
        }
        if answer.trim().is_empty() {
            return Some(Escalation {
                rule: Rule::CannotHelp,
                reason: "the answer was empty".into(),
            });
        }
        let a = stems(answer);
        self.cannot_help.find(&a).map(|c| Escalation {
            rule: Rule::CannotHelp,
            reason: format!("the answer says it cannot help (\"{c}\")"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Rules {
        let kw: Vec<String> = DEFAULT_KEYWORDS.iter().map(|s| s.to_string()).collect();
        Rules::new(&kw, 0.5)
    }

    fn rule(q: &str, score: Option<f64>, a: &str) -> Option<Rule> {
        defaults().check(q, score, a).map(|e| e.rule)
    }

    const FINE: &str = "Click Forgot password on the sign-in page.";

    #[test]
    fn keywords_match_word_forms_in_english_and_russian() {
        for q in [
            "I want my money refunded now",
            "Where are my REFUNDS?",
            "My lawyer will call you",
            "Please cancel my account today",
            "I'm cancelling my account",
            "Хочу оформить возврат",
            "Когда будет возврат средств? Ждём возврата уже неделю",
            "Я подам в суд",
            "Подаю жалобу",
            "Верните деньги!",
        ] {
            assert_eq!(rule(q, Some(0.9), FINE), Some(Rule::Keyword), "{q}");
        }
        // Substrings and other words of the same letters do not match.
        for q in [
            "The prefund step of the wizard",
            "Судно прибыло в порт",
            "How do I reset my password?",
            "Cancel the order", // not "cancel my account"
        ] {
            assert_eq!(rule(q, Some(0.9), FINE), None, "{q}");
        }
    }

    #[test]
    fn a_request_for_a_person_escalates() {
        for q in [
            "Can I speak to a human please?",
            "I need to talk to a real person",
            "Позовите оператора",
            "Хочу поговорить с живым человеком",
        ] {
            assert_eq!(rule(q, Some(0.9), FINE), Some(Rule::HumanRequest), "{q}");
        }
    }

    #[test]
    fn a_weak_or_missing_match_escalates_and_so_does_an_answer_that_cannot_help() {
        assert_eq!(
            rule("How do I reset my password?", Some(0.49), FINE),
            Some(Rule::LowScore)
        );
        assert_eq!(
            rule("How do I reset my password?", None, FINE),
            Some(Rule::LowScore)
        );
        assert_eq!(rule("How do I reset my password?", Some(0.5), FINE), None);
        assert_eq!(
            rule(
                "How do I reset my password?",
                Some(0.8),
                "I'm sorry, I don't know."
            ),
            Some(Rule::CannotHelp)
        );
        assert_eq!(
            rule(
                "Как сбросить пароль?",
                Some(0.8),
                "К сожалению, я не могу помочь с этим."
            ),
            Some(Rule::CannotHelp)
        );
        assert_eq!(
            rule("How do I reset my password?", Some(0.8), " "),
            Some(Rule::CannotHelp)
        );
    }

    #[test]
    fn the_tenants_keywords_replace_the_defaults() {
        let r = Rules::new(&["warranty claim".to_string()], 0.5);
        assert_eq!(
            r.check("I have a warranty claims question", Some(0.9), FINE)
                .map(|e| e.rule),
            Some(Rule::Keyword)
        );
        assert_eq!(r.check("I want a refund", Some(0.9), FINE), None);
        let e = r.check("warranty claim", Some(0.9), FINE).unwrap();
        assert!(e.reason.contains("\"warranty claim\""), "{}", e.reason);
    }
}
