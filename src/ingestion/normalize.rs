//! Uploaded content to the plain text that is chunked, embedded and searched.

/// The content types a document may have.
pub const CONTENT_TYPES: &[&str] = &["text/plain", "text/markdown", "text/html"];

/// Normalized text: HTML reduced to its text (blocks on their own lines, headings marked `#`,
/// list items `*`), line endings unified, trailing spaces and runs of blank lines removed.
/// Markdown stays markdown (its markup reads fine to both models and people).
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

/// Lines are not wrapped: chunking measures tokens, not columns.
const NO_WRAP: usize = 1_000_000;

/// HTML to its text with html2text (an HTML5 parser, html5ever, underneath): markup, comments,
/// scripts and styles dropped, every named and numeric entity decoded, block elements on their
/// own lines, table cells one after another, and malformed markup read as browsers read it.
fn html_to_text(html: &str) -> String {
    html2text::config::plain_no_decorate()
        .raw_mode(true)
        .no_link_wrapping()
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), NO_WRAP)
        // The parser does not fail on any input text; keep the text rather than lose a document.
        .unwrap_or_else(|_| html.to_string())
        // `&nbsp;` is a space to a reader and to search.
        .replace('\u{a0}', " ")
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn a_real_world_page_keeps_its_text_only() {
        let html = r#"<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><title>Refunds &amp; returns</title>
<style>.x > p { color: red } /* <p>not text</p> */</style>
<script type="text/javascript">if (a < b && c > d) { document.write("<p>not text</p>"); }</script>
<script type="application/ld+json">{"@context": "https://schema.org"}</script>
</head><body>
<nav><a href="/" title="a > b">Home</a></nav>
<h1 class="hero" data-x="1 > 0">Refunds&nbsp;policy</h1>
<!-- a comment with <b>markup</b> -->
<p>Prices in &euro; &mdash; caf&eacute; &#8364;5 &#x263A; &hellip; &copy; &lt;tag&gt;</p>
<table><tr><th>Plan</th><th>Days</th></tr><tr><td>Basic</td><td>14</td></tr></table>
<ul><li>One<li>Two</ul>
<p>Unclosed <b>bold <i>and italic</p>
<noscript>Enable JavaScript</noscript>
</body></html>"#;
        let text = normalize("text/html", html);
        for kept in [
            "Refunds policy",
            "Prices in € — café €5 ☺ … © <tag>",
            "Plan",
            "Basic",
            "14",
            "One",
            "Two",
            "Unclosed bold and italic",
            "Home",
        ] {
            assert!(text.contains(kept), "{kept:?} missing from {text:?}");
        }
        for dropped in [
            "color",
            "not text",
            "schema.org",
            "comment",
            "a > b",
            "1 > 0",
            "hero",
        ] {
            assert!(!text.contains(dropped), "{dropped:?} leaked into {text:?}");
        }
    }

    #[test]
    fn a_greater_than_sign_inside_an_attribute_does_not_end_the_tag() {
        let text = normalize(
            "text/html",
            r#"<p><img alt="x" src="a.png" onerror="if (1 > 0) steal()">After the image</p>"#,
        );
        assert!(!text.contains("steal"), "{text:?}");
        assert!(text.contains("After the image"), "{text:?}");
    }

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><title>Reset</title><style>p{color:red}</style></head>\
            <body><h1>Password&nbsp;reset</h1><!-- hidden --><p>Click <b>Forgot</b> &amp; \
            follow the&#32;link.</p><script>alert('x<y')</script><ul><li>One</li><li>Two</li></ul></body></html>";
        assert_eq!(
            normalize("text/html", html),
            "# Password reset\n\nClick Forgot & follow the link.\n* One\n* Two"
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
