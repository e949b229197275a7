"""Cleaning: page → main text, title and audited boilerplate.

Modules (imported directly, so text-only runs do not load the HTML extractors):
- `html`: `clean_html(html, url)`, `html_metadata(html, url)`
- `text`: `clean_text(text, repeated)`, `line_fingerprint(line)`, `RepeatedLines`
- `normalise`: `normalise_for_id(text)`, `make_doc_id(text)`
"""
