//! What every push needs before it writes: the data source its key opens and the compiled
//! forwarding rules, kept in memory for at most [`FRESH`] so a steady stream of pushes costs one
//! write per request and no lookups. A change made through this process forgets them at once;
//! other processes see it within [`FRESH`] (rules through their generation, read with the
//! source).

use crate::domain::AppError;
use crate::domain::forwarding_rule::{CompiledRule, ForwardingRule};
use crate::store;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a looked-up source and the compiled rules are trusted.
pub const FRESH: Duration = Duration::from_secs(1);
/// Keys remembered at most; unknown keys count too, so a flood of bad keys cannot grow it.
const KEYS_MAX: usize = 10_000;

/// The source a key opens.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub enabled: bool,
}

type Rules = Arc<Vec<CompiledRule>>;

#[derive(Default)]
pub struct PipelineCache {
    sources: Mutex<HashMap<String, (Instant, Option<Source>)>>,
    /// When the rules were last confirmed current, their generation, and the rules.
    rules: Mutex<Option<(Instant, i64, Rules)>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn compile_all(rules: Vec<ForwardingRule>) -> Result<Vec<CompiledRule>, AppError> {
    rules
        .into_iter()
        .map(|r| CompiledRule::compile(r).map_err(store::internal))
        .collect()
}

impl PipelineCache {
    /// The source of `key_hash` (`None` when no source has it) and the rules to decide with.
    pub(crate) async fn lookup(
        &self,
        pool: &PgPool,
        key_hash: &str,
    ) -> Result<(Option<Source>, Rules), AppError> {
        let now = Instant::now();
        let source = locked(&self.sources)
            .get(key_hash)
            .filter(|(at, _)| now.duration_since(*at) < FRESH)
            .map(|(_, s)| s.clone());
        let rules = locked(&self.rules)
            .as_ref()
            .filter(|(at, _, _)| now.duration_since(*at) < FRESH)
            .map(|(_, _, r)| r.clone());
        if let (Some(source), Some(rules)) = (source, rules) {
            return Ok((source, rules));
        }
        let mut conn = pool.acquire().await?;
        let found = store::data_sources::by_key(&mut conn, key_hash).await?;
        let source = match (found.source, found.name, found.kind, found.enabled) {
            (Some(id), Some(name), Some(kind), Some(enabled)) => Some(Source {
                id,
                name,
                kind,
                enabled,
            }),
            _ => None,
        };
        let current = locked(&self.rules)
            .as_ref()
            .filter(|(_, g, _)| *g == found.generation)
            .map(|(_, _, r)| r.clone());
        let rules = match current {
            Some(rules) => rules,
            None => {
                let (generation, rules) =
                    store::forwarding_rules::with_generation(&mut conn).await?;
                let rules = Arc::new(compile_all(rules)?);
                *locked(&self.rules) = Some((now, generation, rules.clone()));
                rules
            }
        };
        if let Some((at, _, _)) = locked(&self.rules).as_mut() {
            *at = now;
        }
        let mut sources = locked(&self.sources);
        if sources.len() >= KEYS_MAX {
            sources.clear();
        }
        sources.insert(key_hash.to_owned(), (now, source.clone()));
        Ok((source, rules))
    }

    /// Forgets everything: called by every change of a source or a rule in this process.
    pub(crate) fn forget(&self) {
        locked(&self.sources).clear();
        *locked(&self.rules) = None;
    }
}
