//! MySQL parsing front end for SQL found in PHP code.
//!
//! The SQL is tokenized with [`MySqlDialect`] and a few legacy MySQL forms
//! that sqlparser does not accept are rewritten at the *token* level before
//! parsing. Every token keeps the span it had in the original string, so the
//! line/column of every identifier in the resulting AST still points into
//! the caller's `sql` text (no byte offsets move).
//!
//! Forms handled:
//! - backquoted identifiers, `LIMIT a, b`, `/*! ... */` version hints (the
//!   tokenizer keeps their content), `JOIN t` without `ON`,
//!   `INSERT ... SET`, `REPLACE INTO`, `INSERT IGNORE`,
//!   `ON DUPLICATE KEY UPDATE`, trailing `;`, non-ASCII literals,
//!   `WHERE (1)`, `where 1` — all accepted by sqlparser directly;
//! - multi-table `UPDATE a, b SET ...`: each top-level comma between `UPDATE`
//!   and `SET` becomes `CROSS JOIN` (same semantics: an inner join without
//!   condition);
//! - a trailing `LOCK IN SHARE MODE` is dropped.

use sqlparser::ast::Statement;
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// Recursion limit handed to the sqlparser parser: deeper nesting returns
/// `Err`, which also bounds the depth of the AST the analyser walks.
const RECURSION_LIMIT: usize = 64;

/// Parses `sql` (one or more statements) with the MySQL dialect.
///
/// Returns the parser / tokenizer error message on failure. Spans in the
/// returned AST refer to positions in `sql` itself.
pub fn parse_mysql(sql: &str) -> Result<Vec<Statement>, String> {
    let dialect = MySqlDialect {};
    let text = blank_version_comments(sql);
    let tokens = Tokenizer::new(&dialect, &text)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let tokens = rewrite_tokens(tokens);
    Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| e.to_string())
}

/// Replaces the markers of MySQL version comments `/*!NNNNN ... */` by
/// spaces, keeping their content (MySQL executes it). Only ASCII bytes are
/// replaced, one space per byte, so byte offsets and line/column positions
/// of everything else are unchanged. String literals, quoted identifiers and
/// ordinary comments are skipped.
fn blank_version_comments(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\\' && q != b'`' {
                        i += 2;
                    } else if b[i] == q {
                        i += 1;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') && b.get(i + 2) == Some(&b'!') => {
                let mut j = i + 3;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                out[i..j].fill(b' ');
                i = j;
                // Find the closing `*/`, skipping literals inside the hint.
                while i < b.len() {
                    match b[i] {
                        q @ (b'\'' | b'"' | b'`') => {
                            i += 1;
                            while i < b.len() && b[i] != q {
                                i += if b[i] == b'\\' && q != b'`' { 2 } else { 1 };
                            }
                            i += 1;
                        }
                        b'*' if b.get(i + 1) == Some(&b'/') => {
                            out[i..i + 2].fill(b' ');
                            i += 2;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were overwritten with ASCII spaces at positions that
    // are not inside a multi-byte sequence, so this cannot fail; fall back to
    // the original text defensively.
    String::from_utf8(out).unwrap_or_else(|_| sql.to_string())
}

fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == kw)
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// Token-level rewrites; see the module documentation.
fn rewrite_tokens(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let tokens = drop_lock_in_share_mode(tokens);
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len() + 4);
    // `true` while we are at the start of a statement (only trivia seen).
    let mut at_stmt_start = true;
    // Inside the table list of a statement-level UPDATE (before SET).
    let mut in_update_tables = false;
    let mut depth: usize = 0;
    for tok in tokens {
        if is_trivia(&tok.token) {
            out.push(tok);
            continue;
        }
        if in_update_tables {
            match &tok.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::SemiColon => in_update_tables = false,
                Token::Comma if depth == 0 => {
                    let span = tok.span;
                    out.push(TokenWithSpan::new(Token::make_keyword("CROSS"), span));
                    out.push(TokenWithSpan::new(
                        Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                        span,
                    ));
                    out.push(TokenWithSpan::new(Token::make_keyword("JOIN"), span));
                    continue;
                }
                _ if depth == 0 && is_kw(&tok.token, Keyword::SET) => in_update_tables = false,
                _ => {}
            }
        }
        if at_stmt_start && is_kw(&tok.token, Keyword::UPDATE) {
            in_update_tables = true;
            depth = 0;
        }
        at_stmt_start = matches!(tok.token, Token::SemiColon);
        out.push(tok);
    }
    out
}

/// Removes the token sequence `LOCK IN SHARE MODE` (MySQL < 8 locking read).
fn drop_lock_in_share_mode(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    const SEQ: [Keyword; 4] = [Keyword::LOCK, Keyword::IN, Keyword::SHARE, Keyword::MODE];
    // Indices of significant tokens.
    let sig: Vec<usize> = (0..tokens.len())
        .filter(|&i| !is_trivia(&tokens[i].token))
        .collect();
    let mut drop = vec![false; tokens.len()];
    let mut k = 0;
    while k + SEQ.len() <= sig.len() {
        if SEQ
            .iter()
            .enumerate()
            .all(|(j, kw)| is_kw(&tokens[sig[k + j]].token, *kw))
        {
            for j in 0..SEQ.len() {
                drop[sig[k + j]] = true;
            }
            k += SEQ.len();
        } else {
            k += 1;
        }
    }
    tokens
        .into_iter()
        .zip(drop)
        .filter_map(|(t, d)| if d { None } else { Some(t) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str) -> Vec<Statement> {
        match parse_mysql(sql) {
            Ok(s) => s,
            Err(e) => panic!("failed to parse {sql:?}: {e}"),
        }
    }

    fn round(sql: &str) -> String {
        ok(sql)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[test]
    fn backquoted_identifiers() {
        assert_eq!(
            round("SELECT `a`.`b` FROM `db`.`iw_member` AS `a`"),
            "SELECT `a`.`b` FROM `db`.`iw_member` AS `a`"
        );
    }

    #[test]
    fn limit_comma() {
        assert_eq!(
            round("SELECT * FROM t LIMIT 10, 20"),
            "SELECT * FROM t LIMIT 10, 20"
        );
    }

    #[test]
    fn version_hint_comment_content_is_kept() {
        assert_eq!(
            round("SELECT /*!40001 SQL_NO_CACHE */ * FROM t"),
            "SELECT SQL_NO_CACHE * FROM t"
        );
        assert_eq!(
            round("SELECT * FROM t /*!50000 WHERE x = 1 */"),
            "SELECT * FROM t WHERE x = 1"
        );
    }

    #[test]
    fn version_hint_blanking_preserves_offsets() {
        let sql = "SELECT /*!40001 SQL_NO_CACHE */ x, '/*!1 a */' FROM t";
        let blanked = blank_version_comments(sql);
        assert_eq!(blanked.len(), sql.len());
        assert_eq!(
            blanked,
            "SELECT          SQL_NO_CACHE    x, '/*!1 a */' FROM t"
        );
        // Ordinary comments and non-ASCII text are untouched.
        let sql = "SELECT '전체' /* c */ -- /*!x */\nFROM t";
        assert_eq!(blank_version_comments(sql), sql);
    }

    #[test]
    fn join_without_on() {
        assert_eq!(
            round("SELECT * FROM a JOIN b WHERE a.x = b.x"),
            "SELECT * FROM a JOIN b WHERE a.x = b.x"
        );
        assert_eq!(
            round("SELECT * FROM a LEFT JOIN b"),
            "SELECT * FROM a LEFT JOIN b"
        );
    }

    #[test]
    fn insert_forms() {
        assert_eq!(
            round("INSERT INTO t SET a = 1, b = 2"),
            "INSERT INTO t SET a = 1, b = 2"
        );
        assert_eq!(
            round("REPLACE INTO t (a, b) VALUES (1, 2)"),
            "REPLACE INTO t (a, b) VALUES (1, 2)"
        );
        assert_eq!(
            round("REPLACE INTO t SET a = 1"),
            "REPLACE INTO t SET a = 1"
        );
        assert_eq!(
            round("INSERT IGNORE INTO t (a) VALUES (1)"),
            "INSERT IGNORE INTO t (a) VALUES (1)"
        );
        assert_eq!(
            round("INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)"),
            "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)"
        );
    }

    #[test]
    fn trailing_semicolon_and_multiple_statements() {
        assert_eq!(ok("SELECT * FROM t;").len(), 1);
        assert_eq!(ok("SELECT 1; SELECT 2;").len(), 2);
    }

    #[test]
    fn non_ascii_literal() {
        assert_eq!(
            round("SELECT * FROM t WHERE name = '전체회원'"),
            "SELECT * FROM t WHERE name = '전체회원'"
        );
    }

    #[test]
    fn where_one() {
        assert_eq!(
            round("SELECT * FROM t WHERE (1)"),
            "SELECT * FROM t WHERE (1)"
        );
        assert_eq!(round("SELECT * FROM t where 1"), "SELECT * FROM t WHERE 1");
    }

    #[test]
    fn multi_table_update_commas_become_cross_join() {
        assert_eq!(
            round("UPDATE a, b SET a.x = 1 WHERE a.y = b.y"),
            "UPDATE a CROSS JOIN b SET a.x = 1 WHERE a.y = b.y"
        );
        assert_eq!(
            round("update `a` x, (select 1) d SET x.v = 1, x.w = 2 WHERE x.y = 1; UPDATE c, d SET c.v = 1"),
            "UPDATE `a` x CROSS JOIN (SELECT 1) d SET x.v = 1, x.w = 2 WHERE x.y = 1; \
             UPDATE c CROSS JOIN d SET c.v = 1"
        );
        // The comma in SET / ON DUPLICATE KEY UPDATE is untouched.
        assert_eq!(
            round("INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE a = 1, b = 2"),
            "INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE a = 1, b = 2"
        );
        assert_eq!(
            round("UPDATE a JOIN b ON a.y = b.y SET a.x = 1"),
            "UPDATE a JOIN b ON a.y = b.y SET a.x = 1"
        );
    }

    #[test]
    fn lock_in_share_mode_dropped() {
        assert_eq!(
            round("SELECT * FROM t WHERE a = 1 LOCK IN SHARE MODE"),
            "SELECT * FROM t WHERE a = 1"
        );
    }

    #[test]
    fn placeholders_parse() {
        assert_eq!(
            round("SELECT * FROM __tl_h1member WHERE x = __tl_h3 AND __tl_h2"),
            "SELECT * FROM __tl_h1member WHERE x = __tl_h3 AND __tl_h2"
        );
    }

    #[test]
    fn garbage_is_err() {
        assert!(parse_mysql("SELECT * FROM WHERE").is_err());
        assert!(parse_mysql("SELECT 'unterminated").is_err());
    }
}
