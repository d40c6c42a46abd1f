//! Uploaded content to the plain text that is chunked, embedded and searched.

/// The content types a document may have.
pub const CONTENT_TYPES: &[&str] = &["text/plain", "text/markdown", "text/html"];

/// Normalized text: HTML reduced to its text (blocks become paragraphs), line endings unified, trailing spaces and runs of
/// blank lines removed. Markdown stays markdown (its markup reads fine to both models and people).
pub fn normalize(content_type: &str, raw: &str) -> String {
    let text = if content_type == "text/html" {
        html_to_text(raw)
    } else {
        raw.replace("\r\n", "\n").replace('\r', "\n")
    };
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "blockquote",
    "hr",
    "title",
];

/// Drops tags, comments, scripts and styles; block elements become line breaks; entities are
/// decoded.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = rest[1..end.saturating_sub(1).max(1)]
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if (tag == "script" || tag == "style") && !rest.starts_with("</") {
                let close = format!("</{tag}");
                i += lower[i..].find(&close).unwrap_or(rest.len());
                continue;
            }
            if BLOCK_TAGS.contains(&tag.as_str()) {
                out.push('\n');
            } else {
                out.push(' ');
            }
            i += end;
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        out.push_str(&decode_entities(&rest[..next]));
        i += next;
    }
    // Inline tags left double spaces behind.
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><title>Reset</title><style>p{color:red}</style></head>\
            <body><h1>Password&nbsp;reset</h1><!-- hidden --><p>Click <b>Forgot</b> &amp; \
            follow the&#32;link.</p><script>alert('x<y')</script><ul><li>One</li><li>Two</li></ul></body></html>";
        assert_eq!(
            normalize("text/html", html),
            "Reset\n\nPassword reset\n\nClick Forgot & follow the link.\n\nOne\n\nTwo"
        );
    }

    #[test]
    fn whitespace_is_tidied() {
        assert_eq!(
            normalize("text/plain", "a  \r\nb\r\n\r\n\r\n\r\nc\n\n"),
            "a\nb\n\nc"
        );
        assert_eq!(normalize("text/markdown", "# T\n\n- x  \n"), "# T\n\n- x");
    }
}
