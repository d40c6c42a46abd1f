//! The `[n]` citations of an answer: which retrieved passages it cites, and citations of passages
//! that were never given to the provider (a model inventing `[7]` from three sources), which are
//! removed from the text and counted.

/// An answer's citations, checked against the `passages` it was given (numbered `1..=passages`).
#[derive(Debug, PartialEq, Eq)]
pub struct Cited {
    /// The answer without the invalid citations.
    pub text: String,
    /// The passages cited, in order of first citation, each once.
    pub cited: Vec<usize>,
    /// How many citations named passages that were not retrieved.
    pub dropped: usize,
}

/// Finds `[1]`, `[2, 3]` and `[1][4]`; keeps the numbers within `1..=passages`.
pub fn check(answer: &str, passages: usize) -> Cited {
    let mut text = String::with_capacity(answer.len());
    let mut cited = Vec::new();
    let mut dropped = 0;
    let mut rest = answer;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &after[..close];
        let numbers: Option<Vec<usize>> = inner
            .split(',')
            .map(|n| n.trim().parse::<usize>().ok())
            .collect();
        match numbers {
            // Not a citation ("[note]", "[]"): kept as written.
            None => text.push_str(&rest[open..open + close + 2]),
            Some(ns) => {
                let valid: Vec<usize> = ns
                    .iter()
                    .copied()
                    .filter(|n| (1..=passages).contains(n))
                    .collect();
                dropped += ns.len() - valid.len();
                if valid.is_empty() {
                    // Do not leave "the fee is 5 ." behind.
                    while text.ends_with(' ') {
                        text.pop();
                    }
                } else {
                    let list: Vec<String> = valid.iter().map(usize::to_string).collect();
                    text.push_str(&format!("[{}]", list.join(", ")));
                }
                for n in valid {
                    if !cited.contains(&n) {
                        cited.push(n);
                    }
                }
            }
        }
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    Cited {
        text,
        cited,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_of_retrieved_passages_are_kept_in_order_of_first_use() {
        let c = check("Reset it [2]. Then log in [1][2]. See [1, 2].", 3);
        assert_eq!(c.cited, vec![2, 1]);
        assert_eq!(c.dropped, 0);
        assert_eq!(c.text, "Reset it [2]. Then log in [1][2]. See [1, 2].");
    }

    #[test]
    fn citations_of_passages_never_retrieved_are_removed_and_counted() {
        let c = check("The fee is 5 euros [7]. Refunds take a week [1, 9].", 2);
        assert_eq!(c.text, "The fee is 5 euros. Refunds take a week [1].");
        assert_eq!(c.cited, vec![1]);
        assert_eq!(c.dropped, 2);
        let none = check("Nothing [0] here [3]", 0);
        assert_eq!(none.text, "Nothing here");
        assert_eq!(none.dropped, 2);
        assert!(none.cited.is_empty());
    }

    #[test]
    fn brackets_that_are_not_citations_stay() {
        let c = check("Press [Enter] or [] then [1", 1);
        assert_eq!(c.text, "Press [Enter] or [] then [1");
        assert!(c.cited.is_empty());
        assert_eq!(c.dropped, 0);
    }
}
