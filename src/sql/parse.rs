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
//! - a trailing `LOCK IN SHARE MODE` is dropped;
//! - MySQL multi-table `DELETE`: the `.*` after a target table
//!   (`DELETE a.*, b.* FROM …`, `DELETE FROM a.* USING …`) is dropped, as are
//!   the modifiers `LOW_PRIORITY`, `QUICK` and `IGNORE` right after `DELETE`;
//! - a keyword that MySQL does not reserve, written directly before a `.`
//!   (`any.id`, `global.x`), is a qualifier: it becomes a plain identifier,
//!   as does `TOP` (no MySQL syntax; `SELECT top FROM t` reads a column).
//!
//! MySQL accepts its non-reserved keywords (`open`, `status`, `view`,
//! `start`, `full`, …) as table and column aliases, which sqlparser's
//! [`MySqlDialect`] refuses for a number of them; the parse uses
//! `MySqlAliases`, a [`MySqlDialect`] that only keeps MySQL's reserved
//! words (and `RETURNING`) out of alias position.

use std::any::TypeId;

use sqlparser::ast::{Expr, Statement};
use sqlparser::dialect::{
    BindPlaceholderStyle, Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};

use crate::facts;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// Recursion limit handed to the sqlparser parser: deeper nesting returns
/// `Err`, which also bounds the depth of the AST the analyser walks.
const RECURSION_LIMIT: usize = 64;

/// Parses `sql` (one or more statements) with the MySQL dialect.
///
/// Returns the parser / tokenizer error message on failure. Spans in the
/// returned AST refer to positions in `sql` itself.
pub fn parse_mysql(sql: &str) -> Result<Vec<Statement>, String> {
    parse_mysql_located(sql).map_err(|e| e.message)
}

/// Why `sql` did not parse: sqlparser's message, and the 1-based line and character column
/// where it stopped, when the message names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub location: Option<(usize, usize)>,
}

impl ParseError {
    fn new(message: String) -> ParseError {
        ParseError {
            location: error_position(&message),
            message,
        }
    }
}

/// `… at Line: 4, Column: 40` in a sqlparser error.
fn error_position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.rfind("Line: ")? + "Line: ".len()..];
    let (line, rest) = rest.split_once(',')?;
    let column = rest.trim_start().strip_prefix("Column: ")?;
    let column: String = column.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// [`parse_mysql`], with the error's location as a value.
pub fn parse_mysql_located(sql: &str) -> Result<Vec<Statement>, ParseError> {
    parse_located(sql, facts::Dialect::MySql)
}

/// Parse `sql` in `dialect`, with the error's location as a value. MySQL gets its legacy forms
/// and alias rules (see the module documentation); PostgreSQL and SQLite are parsed as
/// sqlparser reads them.
pub fn parse_located(sql: &str, dialect: facts::Dialect) -> Result<Vec<Statement>, ParseError> {
    match dialect {
        facts::Dialect::MySql => {
            let text = blank_version_comments(sql);
            parse_tokens(&MySqlAliases(MySqlDialect {}), &text, rewrite_tokens)
        }
        facts::Dialect::Postgres => parse_tokens(&PostgreSqlDialect {}, sql, |t| t),
        facts::Dialect::Sqlite => parse_tokens(&SQLiteDialect {}, sql, |t| t),
    }
}

fn parse_tokens(
    dialect: &dyn Dialect,
    text: &str,
    rewrite: impl FnOnce(Vec<TokenWithSpan>) -> Vec<TokenWithSpan>,
) -> Result<Vec<Statement>, ParseError> {
    // Room for the tokens from the start: a query has at most one per byte, and about one per
    // three in practice (a space is a token); growing the vector by doubling copied them over
    // and over.
    let mut tokens = Vec::with_capacity(text.len() / 3 + 16);
    Tokenizer::new(dialect, text)
        .with_unescape(true)
        .tokenize_with_location_into_buf(&mut tokens)
        .map_err(|e| ParseError {
            message: e.to_string(),
            location: Some((e.location.line as usize, e.location.column as usize)),
        })?;
    Parser::new(dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(rewrite(tokens))
        .parse_statements()
        .map_err(|e| ParseError::new(e.to_string()))
}

// ---------------------------------------------------------------------------
// Dialect

/// MySQL reserved words, upper case, sorted: the keywords marked (R) in the
/// MySQL 8.0 reference, those 8.4 adds (`MANUAL`, `PARALLEL`, `QUALIFY`,
/// `TABLESAMPLE`), and `ARRAY` / `MEMBER` (JSON syntax). MySQL refuses them
/// as unquoted aliases; every other keyword is an identifier there.
#[rustfmt::skip]
const MYSQL_RESERVED: &[&str] = &[
    "ACCESSIBLE", "ADD", "ALL", "ALTER", "ANALYZE", "AND", "ARRAY", "AS", "ASC", "ASENSITIVE",
    "BEFORE", "BETWEEN", "BIGINT", "BINARY", "BLOB", "BOTH", "BY", "CALL", "CASCADE", "CASE",
    "CHANGE", "CHAR", "CHARACTER", "CHECK", "COLLATE", "COLUMN", "CONDITION", "CONSTRAINT",
    "CONTINUE", "CONVERT", "CREATE", "CROSS", "CUBE", "CUME_DIST", "CURRENT_DATE", "CURRENT_TIME",
    "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATABASE", "DATABASES", "DAY_HOUR",
    "DAY_MICROSECOND", "DAY_MINUTE", "DAY_SECOND", "DEC", "DECIMAL", "DECLARE", "DEFAULT",
    "DELAYED", "DELETE", "DENSE_RANK", "DESC", "DESCRIBE", "DETERMINISTIC", "DISTINCT",
    "DISTINCTROW", "DIV", "DOUBLE", "DROP", "DUAL", "EACH", "ELSE", "ELSEIF", "EMPTY", "ENCLOSED",
    "ESCAPED", "EXCEPT", "EXISTS", "EXIT", "EXPLAIN", "FALSE", "FETCH", "FIRST_VALUE", "FLOAT",
    "FLOAT4", "FLOAT8", "FOR", "FORCE", "FOREIGN", "FROM", "FULLTEXT", "FUNCTION", "GENERATED",
    "GET", "GRANT", "GROUP", "GROUPING", "GROUPS", "HAVING", "HIGH_PRIORITY", "HOUR_MICROSECOND",
    "HOUR_MINUTE", "HOUR_SECOND", "IF", "IGNORE", "IN", "INDEX", "INFILE", "INNER", "INOUT",
    "INSENSITIVE", "INSERT", "INT", "INT1", "INT2", "INT3", "INT4", "INT8", "INTEGER", "INTERSECT",
    "INTERVAL", "INTO", "IO_AFTER_GTIDS", "IO_BEFORE_GTIDS", "IS", "ITERATE", "JOIN", "JSON_TABLE",
    "KEY", "KEYS", "KILL", "LAG", "LAST_VALUE", "LATERAL", "LEAD", "LEADING", "LEAVE", "LEFT",
    "LIKE", "LIMIT", "LINEAR", "LINES", "LOAD", "LOCALTIME", "LOCALTIMESTAMP", "LOCK", "LONG",
    "LONGBLOB", "LONGTEXT", "LOOP", "LOW_PRIORITY", "MANUAL", "MASTER_BIND",
    "MASTER_SSL_VERIFY_SERVER_CERT", "MATCH", "MAXVALUE", "MEDIUMBLOB", "MEDIUMINT", "MEDIUMTEXT",
    "MEMBER", "MIDDLEINT", "MINUTE_MICROSECOND", "MINUTE_SECOND", "MOD", "MODIFIES", "NATURAL",
    "NOT", "NO_WRITE_TO_BINLOG", "NTH_VALUE", "NTILE", "NULL", "NUMERIC", "OF", "ON", "OPTIMIZE",
    "OPTIMIZER_COSTS", "OPTION", "OPTIONALLY", "OR", "ORDER", "OUT", "OUTER", "OUTFILE", "OVER",
    "PARALLEL", "PARTITION", "PERCENT_RANK", "PRECISION", "PRIMARY", "PROCEDURE", "PURGE",
    "QUALIFY", "RANGE", "RANK", "READ", "READS", "READ_WRITE", "REAL", "RECURSIVE", "REFERENCES",
    "REGEXP", "RELEASE", "RENAME", "REPEAT", "REPLACE", "REQUIRE", "RESIGNAL", "RESTRICT", "RETURN",
    "REVOKE", "RIGHT", "RLIKE", "ROW", "ROWS", "ROW_NUMBER", "SCHEMA", "SCHEMAS",
    "SECOND_MICROSECOND", "SELECT", "SENSITIVE", "SEPARATOR", "SET", "SHOW", "SIGNAL", "SMALLINT",
    "SPATIAL", "SPECIFIC", "SQL", "SQLEXCEPTION", "SQLSTATE", "SQLWARNING", "SQL_BIG_RESULT",
    "SQL_CALC_FOUND_ROWS", "SQL_SMALL_RESULT", "SSL", "STARTING", "STORED", "STRAIGHT_JOIN",
    "SYSTEM", "TABLE", "TABLESAMPLE", "TERMINATED", "THEN", "TINYBLOB", "TINYINT", "TINYTEXT", "TO",
    "TRAILING", "TRIGGER", "TRUE", "UNDO", "UNION", "UNIQUE", "UNLOCK", "UNSIGNED", "UPDATE",
    "USAGE", "USE", "USING", "UTC_DATE", "UTC_TIME", "UTC_TIMESTAMP", "VALUES", "VARBINARY",
    "VARCHAR", "VARCHARACTER", "VARYING", "VIRTUAL", "WHEN", "WHERE", "WHILE", "WINDOW", "WITH",
    "WRITE", "XOR", "YEAR_MONTH", "ZEROFILL",
];

/// Keywords MySQL does not reserve but that stay out of implicit alias
/// position: `RETURNING` ends the table list of MariaDB's
/// `DELETE … RETURNING`.
const KEPT_OUT_OF_ALIAS: &[Keyword] = &[Keyword::RETURNING];

/// Word operators of other dialects that sqlparser parses whatever the
/// dialect; MySQL has none of them, so after an expression they start an
/// implicit alias (`SELECT COUNT(*) similar FROM …`).
const FOREIGN_WORD_OPERATORS: &[Keyword] = &[
    Keyword::GLOB,
    Keyword::ILIKE,
    Keyword::OPERATOR,
    Keyword::OVERLAPS,
    Keyword::SIMILAR,
];

/// `true` when MySQL reserves `kw` (a keyword sqlparser knows).
fn is_mysql_reserved(kw: Keyword) -> bool {
    ALL_KEYWORDS_INDEX
        .binary_search(&kw)
        .ok()
        .and_then(|i| ALL_KEYWORDS.get(i))
        .is_some_and(|text| MYSQL_RESERVED.binary_search(text).is_ok())
}

/// `true` when MySQL takes the keyword `kw` as an implicit alias.
fn mysql_accepts_alias(kw: Keyword) -> bool {
    !is_mysql_reserved(kw) && !KEPT_OUT_OF_ALIAS.contains(&kw)
}

/// [`MySqlDialect`] with MySQL's own alias rules: a keyword MySQL does not
/// reserve may be a table or column alias without `AS` (`FROM ost_ticket_status
/// status`, `JOIN ost_thread open ON …`, `FROM t1 full JOIN t2`; the default
/// `is_select_item_alias` asks `is_column_alias`), the non-reserved `TRIM` /
/// `STRUCT` may be column names, and other dialects' word operators
/// ([`FOREIGN_WORD_OPERATORS`]) are not operators.
///
/// Everything else is [`MySqlDialect`]: `dialect()` answers its type (so the
/// parser's MySQL-specific branches apply) and every method [`MySqlDialect`]
/// overrides in sqlparser 0.64 is forwarded. Re-check this list when
/// upgrading sqlparser.
#[derive(Debug)]
struct MySqlAliases(MySqlDialect);

/// Forwards dialect methods to the wrapped [`MySqlDialect`].
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&self, $($arg: $ty),*) -> $ret {
            self.0.$name($($arg),*)
        })*
    };
}

impl Dialect for MySqlAliases {
    fn dialect(&self) -> TypeId {
        self.0.dialect()
    }

    fn is_table_factor_alias(&self, explicit: bool, kw: &Keyword, parser: &mut Parser) -> bool {
        self.0.is_table_factor_alias(explicit, kw, parser) || mysql_accepts_alias(*kw)
    }

    fn is_column_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.0.is_column_alias(kw, parser) || mysql_accepts_alias(*kw)
    }

    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        self.0.is_reserved_for_identifier(kw) && is_mysql_reserved(kw)
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        match &parser.peek_token_ref().token {
            Token::Word(w) if FOREIGN_WORD_OPERATORS.contains(&w.keyword) => {
                Some(Ok(self.prec_unknown()))
            }
            _ => self.0.get_next_precedence(parser),
        }
    }

    forward! {
        supports_string_literal_table_alias(explicit: bool) -> bool;
        is_identifier_start(ch: char) -> bool;
        is_identifier_part(ch: char) -> bool;
        is_delimited_identifier_start(ch: char) -> bool;
        identifier_quote_style(identifier: &str) -> Option<char>;
        ordered_bind_placeholder_style() -> Option<BindPlaceholderStyle>;
        supports_string_literal_backslash_escape() -> bool;
        supports_string_literal_concatenation() -> bool;
        ignores_wildcard_escapes() -> bool;
        supports_numeric_prefix() -> bool;
        supports_literal_prefix_in_qualified_name() -> bool;
        supports_bitwise_shift_operators() -> bool;
        supports_singular_value_keyword() -> bool;
        supports_multiline_comment_hints() -> bool;
        parse_infix(parser: &mut Parser, expr: &Expr, precedence: u8)
            -> Option<Result<Expr, ParserError>>;
        parse_statement(parser: &mut Parser) -> Option<Result<Statement, ParserError>>;
        require_interval_qualifier() -> bool;
        supports_limit_comma() -> bool;
        supports_create_table_select() -> bool;
        supports_insert_set() -> bool;
        supports_user_host_grantee() -> bool;
        supports_table_hints() -> bool;
        requires_single_line_comment_whitespace() -> bool;
        supports_hash_comment() -> bool;
        supports_match_against() -> bool;
        supports_select_modifiers() -> bool;
        supports_set_names() -> bool;
        supports_comma_separated_set_assignments() -> bool;
        supports_alter_column_position() -> bool;
        supports_update_order_by() -> bool;
        supports_data_type_signed_suffix() -> bool;
        supports_data_type_zerofill_suffix() -> bool;
        supports_cross_join_constraint() -> bool;
        supports_double_ampersand_operator() -> bool;
        supports_binary_kw_as_cast() -> bool;
        supports_table_partitions() -> bool;
        supports_comment_optimizer_hint() -> bool;
        supports_constraint_keyword_without_name() -> bool;
        supports_key_column_option() -> bool;
        supports_group_by_with_modifier() -> bool;
        supports_left_associative_joins_without_parens() -> bool;
    }
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
    let mut tokens = delete_targets(tokens);
    plain_identifiers(&mut tokens);
    // The rest rewrites the table list of an UPDATE only.
    if !tokens.iter().any(|t| is_kw(&t.token, Keyword::UPDATE)) {
        return tokens;
    }
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

/// MySQL multi-table `DELETE`: drops `LOW_PRIORITY` / `QUICK` / `IGNORE`
/// right after a statement-level `DELETE`, and the `.*` written after target
/// tables (`DELETE a.*, b.* FROM …`, `DELETE FROM a.* USING …`) before the
/// statement's `WHERE`. sqlparser then reads the same statement as
/// `DELETE a, b FROM …` / `DELETE FROM a USING …`.
fn delete_targets(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    #[derive(PartialEq)]
    enum State {
        /// Not in the head of a DELETE; `true` at the start of a statement.
        Outside(bool),
        /// Right after `DELETE` (modifiers may follow).
        Modifiers,
        /// Target / table lists, before `WHERE`.
        Tables,
    }
    // Indices of significant tokens.
    let sig: Vec<usize> = (0..tokens.len())
        .filter(|&i| !is_trivia(&tokens[i].token))
        .collect();
    let mut drop = vec![false; tokens.len()];
    let mut state = State::Outside(true);
    let mut depth: usize = 0;
    for (k, &i) in sig.iter().enumerate() {
        let tok = &tokens[i].token;
        if matches!(tok, Token::SemiColon) {
            state = State::Outside(true);
            continue;
        }
        if state == State::Modifiers {
            let modifier = matches!(tok, Token::Word(w) if w.quote_style.is_none()
                && ["LOW_PRIORITY", "QUICK", "IGNORE"]
                    .iter()
                    .any(|m| w.value.eq_ignore_ascii_case(m)));
            if modifier {
                drop[i] = true;
                continue;
            }
            state = State::Tables;
            depth = 0;
        }
        match state {
            State::Outside(start) => {
                state = State::Outside(false);
                if start && is_kw(tok, Keyword::DELETE) {
                    state = State::Modifiers;
                }
            }
            State::Tables => match tok {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth == 0 && is_kw(tok, Keyword::WHERE) => state = State::Outside(false),
                Token::Period if depth == 0 => {
                    let after_name = k
                        .checked_sub(1)
                        .is_some_and(|p| matches!(tokens[sig[p]].token, Token::Word(_)));
                    if let Some(&star) = sig.get(k + 1) {
                        if after_name && matches!(tokens[star].token, Token::Mul) {
                            drop[i] = true;
                            drop[star] = true;
                        }
                    }
                }
                _ => {}
            },
            State::Modifiers => {}
        }
    }
    without_dropped(tokens, &drop)
}

/// `tokens` without those marked in `drop`; as they are when none is (most queries), without
/// moving them.
fn without_dropped(tokens: Vec<TokenWithSpan>, drop: &[bool]) -> Vec<TokenWithSpan> {
    if !drop.contains(&true) {
        return tokens;
    }
    tokens
        .into_iter()
        .zip(drop)
        .filter_map(|(t, &d)| if d { None } else { Some(t) })
        .collect()
}

/// Keywords that sqlparser reads as syntax in every dialect although MySQL
/// has no such syntax: `SELECT top, …` is a column there, not `SELECT TOP n`.
const NOT_MYSQL_SYNTAX: &[Keyword] = &[Keyword::TOP];

/// Turns into plain identifiers the keyword tokens that MySQL reads as
/// identifiers in their position but sqlparser would read as syntax:
/// - a keyword MySQL does not reserve, directly followed by `.` and a name
///   or `*`, is a qualifier (`any.id`, `global.*`), not `= ANY (…)`;
/// - [`NOT_MYSQL_SYNTAX`] keywords, anywhere.
fn plain_identifiers(tokens: &mut [TokenWithSpan]) {
    for i in 0..tokens.len() {
        let qualifies = matches!(tokens.get(i + 1).map(|t| &t.token), Some(Token::Period))
            && matches!(
                tokens.get(i + 2).map(|t| &t.token),
                Some(Token::Word(_) | Token::Mul)
            );
        if let Token::Word(w) = &mut tokens[i].token {
            if w.quote_style.is_none()
                && w.keyword != Keyword::NoKeyword
                && ((qualifies && !is_mysql_reserved(w.keyword))
                    || NOT_MYSQL_SYNTAX.contains(&w.keyword))
            {
                w.keyword = Keyword::NoKeyword;
            }
        }
    }
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
    without_dropped(tokens, &drop)
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
    fn postgres_and_sqlite_parse_in_their_own_dialect() {
        let sql = "SELECT \"Name\" FROM \"public\".\"users\" WHERE id = $1::int AND t = ANY($2)";
        let statements = parse_located(sql, facts::Dialect::Postgres).expect("postgres");
        assert_eq!(statements.len(), 1);
        let sql = "SELECT name FROM users WHERE id = ?1 AND team = :team";
        assert!(parse_located(sql, facts::Dialect::Sqlite).is_ok());
        // A tokenizer error carries its location as a value.
        let err = parse_located("SELECT 'unterminated", facts::Dialect::Postgres).unwrap_err();
        assert_eq!(err.location, Some((1, 8)));
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

    #[test]
    fn multi_table_delete_targets() {
        assert_eq!(
            round("DELETE a.* FROM t a JOIN u b ON b.id = a.id WHERE a.x = 1"),
            "DELETE a FROM t a JOIN u b ON b.id = a.id WHERE a.x = 1"
        );
        assert_eq!(
            round("DELETE a.*, b.* FROM t a, u b WHERE a.id = b.id"),
            "DELETE a, b FROM t a, u b WHERE a.id = b.id"
        );
        assert_eq!(
            round("DELETE a, b FROM t a, u b WHERE a.id = b.id"),
            "DELETE a, b FROM t a, u b WHERE a.id = b.id"
        );
        assert_eq!(
            round("DELETE `a`.*, db.b . * FROM t a, db.u b WHERE a.id = b.id"),
            "DELETE `a`, db.b FROM t a, db.u b WHERE a.id = b.id"
        );
        assert_eq!(
            round("DELETE FROM a.*, b.* USING t a JOIN u b ON b.id = a.id WHERE a.x = 1"),
            "DELETE FROM a, b USING t a JOIN u b ON b.id = a.id WHERE a.x = 1"
        );
        assert_eq!(
            round("DELETE FROM t USING t JOIN u ON u.id = t.id WHERE t.x = 1"),
            "DELETE FROM t USING t JOIN u ON u.id = t.id WHERE t.x = 1"
        );
        // Modifiers are dropped; `.*` inside parentheses or after WHERE is untouched.
        assert_eq!(
            round(
                "delete low_priority QUICK ignore a.* FROM t a \
                 WHERE a.x IN (SELECT c.* FROM c); DELETE IGNORE FROM t"
            ),
            "DELETE a FROM t a WHERE a.x IN (SELECT c.* FROM c); DELETE FROM t"
        );
        assert!(parse_mysql("DELETE FROM t WHERE a.* = 1").is_err());
        // Only a statement-level DELETE is rewritten.
        assert_eq!(
            round("SELECT 'DELETE a.*', t.* FROM t"),
            "SELECT 'DELETE a.*', t.* FROM t"
        );
    }

    /// MySQL's non-reserved keywords, as table / column aliases, qualifiers,
    /// column and table names.
    #[test]
    fn non_reserved_keywords_are_identifiers() {
        let sql = "SELECT ticket.ticket_id, status.name AS status, open FROM ost_ticket ticket \
                   LEFT JOIN ost_ticket_status status ON status.id = ticket.status_id \
                   JOIN ost_thread open ON open.object_id = ticket.ticket_id WHERE open.id = 1";
        assert_eq!(round(sql), sql);
        for w in [
            "open", "status", "type", "name", "value", "action", "date", "time", "data", "user",
            "password", "level", "position", "source", "format", "comment", "number", "start",
            "end", "first", "last", "view", "full", "global", "offset", "any", "some", "trim",
            "top", "similar", "glob",
        ] {
            for form in [
                "SELECT $w.x, $w FROM t $w WHERE $w.y = 1",
                "SELECT * FROM t a LEFT JOIN u $w ON $w.id = a.id WHERE a.x = $w.x",
                "SELECT a $w, COUNT(*) $w FROM t",
                "SELECT a AS $w FROM $w",
                "SELECT * FROM t WHERE $w = 1 ORDER BY $w",
                "UPDATE t $w SET $w.x = 1 WHERE $w.y = 2",
                "DELETE $w.* FROM t $w JOIN u b ON b.id = $w.id WHERE $w.y = 2",
            ] {
                let sql = form.replace("$w", w);
                // Round trip: nothing dropped, every alias kept.
                assert_eq!(
                    round(&sql).to_lowercase().replace(" as ", " "),
                    sql.to_lowercase().replace(" as ", " ").replace(".*", ""),
                    "{sql}"
                );
            }
        }
    }

    #[test]
    fn end_is_an_alias_not_the_end_of_the_statement() {
        assert_eq!(
            round("SELECT * FROM t end WHERE end.x = 1"),
            "SELECT * FROM t end WHERE end.x = 1"
        );
        assert_eq!(round("SELECT a end FROM t"), "SELECT a AS end FROM t");
        assert_eq!(
            round("SELECT CASE WHEN a THEN b ELSE c END, CASE a WHEN 1 THEN 2 END e FROM t"),
            "SELECT CASE WHEN a THEN b ELSE c END, CASE a WHEN 1 THEN 2 END AS e FROM t"
        );
    }

    #[test]
    fn reserved_words_stay_reserved() {
        for sql in [
            "SELECT * FROM t WHERE x = 1",
            "SELECT * FROM t LEFT JOIN u ON u.id = t.id",
            "SELECT * FROM t STRAIGHT_JOIN u",
            "SELECT * FROM t USE INDEX (i) WHERE x = 1",
            "SELECT * FROM t PARTITION (p1)",
            "SELECT * FROM t GROUP BY x HAVING COUNT(*) > 1 ORDER BY x LIMIT 1 OFFSET 2",
            "SELECT * FROM t FOR UPDATE",
            "SELECT a FROM t UNION SELECT b FROM u",
            "SELECT * FROM t a FULL JOIN u b ON b.id = a.id",
            "DELETE FROM t RETURNING id",
            "SELECT * FROM t a WHERE a.x = ANY(SELECT y FROM u)",
            "SELECT TRIM(BOTH 'x' FROM y), TRIM(z) FROM t",
        ] {
            assert_eq!(round(sql), sql);
        }
        assert!(parse_mysql("SELECT * FROM t key WHERE").is_err());
        assert!(parse_mysql("SELECT * FROM t a LIMIT").is_err());
    }

    /// `full` is an alias, as in MySQL (which has no FULL JOIN): `t1 full JOIN t2`
    /// is an inner join.
    #[test]
    fn full_before_join_is_an_alias() {
        use sqlparser::ast::{JoinOperator, SetExpr};
        let stmts = ok("SELECT * FROM t full JOIN u ON u.id = full.id");
        let Statement::Query(q) = &stmts[0] else {
            panic!("not a query");
        };
        let SetExpr::Select(s) = &*q.body else {
            panic!("not a select");
        };
        assert!(matches!(
            s.from[0].joins[0].join_operator,
            JoinOperator::Join(_)
        ));
    }

    #[test]
    fn reserved_word_list() {
        assert!(MYSQL_RESERVED.windows(2).all(|w| w[0] < w[1]));
        // `is_mysql_reserved` binary-searches the keyword enum.
        assert!(ALL_KEYWORDS_INDEX.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ALL_KEYWORDS_INDEX.len(), ALL_KEYWORDS.len());
        assert!(MYSQL_RESERVED.iter().all(|w| w
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')));
        for kw in [
            Keyword::SELECT,
            Keyword::WHERE,
            Keyword::KEY,
            Keyword::ORDER,
            Keyword::ROWS,
        ] {
            assert!(is_mysql_reserved(kw), "{kw}");
        }
        for kw in [
            Keyword::OPEN,
            Keyword::STATUS,
            Keyword::VIEW,
            Keyword::END,
            Keyword::FULL,
        ] {
            assert!(!is_mysql_reserved(kw), "{kw}");
        }
        assert!(!is_mysql_reserved(Keyword::NoKeyword));
    }

    /// Apart from aliases, the dialect parses like sqlparser's MySqlDialect
    /// (guards the forwarded methods).
    #[test]
    fn dialect_matches_mysql_elsewhere() {
        for sql in [
            "SELECT `a`.`b`, x DIV 2, a && b, 1 << 2, _utf8mb4'x', \"s\" 'c' FROM t LIMIT 1, 2",
            "SELECT * FROM t WHERE MATCH (a) AGAINST ('x' IN BOOLEAN MODE) # c\n",
            "SELECT CAST(a AS SIGNED), BINARY a, INTERVAL 1 DAY + d FROM t GROUP BY a WITH ROLLUP",
            "INSERT INTO t SET a = 1, b = 'it\\'s' ON DUPLICATE KEY UPDATE a = VALUE(a)",
            "UPDATE t SET a = 1 ORDER BY b LIMIT 3",
            "SELECT * FROM t1 JOIN t2 JOIN t3 ON t3.id = t2.id ON t2.id = t1.id",
            "LOCK TABLES t READ",
            "SELECT /*+ BKA(t) */ SQL_NO_CACHE * FROM t FORCE INDEX (i)",
        ] {
            let ours = parse_mysql(sql).map(|s| format!("{s:?}"));
            let theirs = Parser::parse_sql(&MySqlDialect {}, sql)
                .map(|s| format!("{s:?}"))
                .map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{sql}");
        }
    }
}
