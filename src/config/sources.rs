//! Validation of `[sources]` entries: what the front-ends can compare them with.

/// What an invalid `[sources]` entry is told: what is wrong, and what the key expects.
pub(super) struct SourceError {
    pub(super) message: String,
    pub(super) help: &'static str,
}

const HOST_HELP: &str = "`[sources] host` lists the expressions whose value is the request host, as PHP reads them: a superglobal with its keys, e.g. \"$_SERVER['HTTP_HOST']\"";
const TENANT_PARAM_HELP: &str = "`[sources] tenant_param` lists the bare keys of the tenant request parameter in $_GET, $_POST, $_REQUEST and $_COOKIE, e.g. [\"ep\"] for $_GET['ep']";

/// A host source: a superglobal read (`$_SERVER['HTTP_HOST']`), optionally with further keys
/// or properties — the only expressions the front-end compares with host sources.
pub(super) fn host_source(text: &str) -> Result<(), SourceError> {
    let err = |message: &str| SourceError {
        message: message.to_string(),
        help: HOST_HELP,
    };
    let normal = crate::names::normalize_expr(text);
    if normal.is_empty() {
        return Err(err("empty host source"));
    }
    let Some(rest) = normal.strip_prefix("$_") else {
        return Err(err(
            "not a superglobal read such as `$_SERVER['HTTP_HOST']`",
        ));
    };
    let ident_len = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut rest = &rest[ident_len(rest)..];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("['") {
            // `normalize_expr` writes every string key as `['key']`.
            match after.find("']") {
                Some(0) => return Err(err("empty array key")),
                Some(end) if !after[..end].contains(['\'', '[', ']']) => rest = &after[end + 2..],
                _ => return Err(err("unbalanced or malformed `[…]` key")),
            }
        } else if let Some(after) = rest.strip_prefix('[') {
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            match after[digits..].strip_prefix(']') {
                Some(tail) if digits > 0 => rest = tail,
                _ => return Err(err("unbalanced or malformed `[…]` key")),
            }
        } else if let Some(after) = rest.strip_prefix("->") {
            let n = ident_len(after);
            if n == 0 {
                return Err(err("`->` is not followed by a property name"));
            }
            rest = &after[n..];
        } else {
            return Err(err(
                "not a superglobal read such as `$_SERVER['HTTP_HOST']` (only `['key']` indexes and `->property` may follow)",
            ));
        }
    }
    Ok(())
}

/// A tenant parameter: the bare key (`ep`), compared with the keys of `$_GET['…']` & co.
pub(super) fn tenant_param(text: &str) -> Result<(), SourceError> {
    let err = |message: &str| SourceError {
        message: message.to_string(),
        help: TENANT_PARAM_HELP,
    };
    if text.trim().is_empty() {
        return Err(err("empty tenant parameter name"));
    }
    if text.contains(|c: char| c.is_whitespace() || "$[]'\"".contains(c)) {
        return Err(err(
            "not a bare key: write `ep` for `$_GET['ep']`, without `$`, brackets, quotes or spaces",
        ));
    }
    Ok(())
}
