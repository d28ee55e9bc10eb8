//! Argon2id password hashing on a small, bounded pool of threads. Each hash needs about 19 MiB
//! of working memory; the pool's threads own theirs and reuse it for every hash, so a burst of
//! logins costs no allocation and the memory in use is fixed (threads × 19 MiB) however many
//! people log in at once. A thread that has hashed nothing for [`IDLE`] gives its memory back,
//! so a quiet server does not carry it. Beyond the pool and a short queue a login is refused
//! with 429 instead of waiting.

use crate::domain::AppError;
use crate::store::internal;
use argon2::password_hash::{
    Output, ParamsString, PasswordHash, Salt, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::LazyLock;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long a thread keeps its working memory without a hash to do.
const IDLE: Duration = Duration::from_secs(30);

/// Hashes waiting beyond the busy threads before new ones are refused.
const QUEUE: usize = 64;

/// The most working memory a stored hash may ask for (1 GiB); more is a corrupt hash.
const MAX_BLOCKS: usize = 1024 * 1024;

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, AppError>>,
    },
    Verify {
        password: String,
        hash: String,
        reply: oneshot::Sender<Result<bool, AppError>>,
    },
}

/// The pool: as many threads as cores (at most four), fed through one bounded queue.
static POOL: LazyLock<SyncSender<Job>> = LazyLock::new(|| {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (sender, receiver) = sync_channel(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    for i in 0..threads {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || work(&receiver))
            .unwrap_or_else(|e| panic!("cannot start a password hashing thread: {e}"));
    }
    sender
});

fn work(receiver: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match receiver.lock() {
            Ok(r) => r.recv_timeout(IDLE),
            Err(_) => return,
        };
        let job = match job {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                memory = Vec::new();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(hash_with(&mut memory, &password));
            }
            Job::Verify {
                password,
                hash,
                reply,
            } => {
                let _ = reply.send(verify_with(&mut memory, &password, &hash));
            }
        }
    }
}

/// Grows the thread's working memory to what `params` needs (once, for the default).
fn working(memory: &mut Vec<Block>, params: &Params) -> Result<(), AppError> {
    let needed = params.block_count();
    if needed > MAX_BLOCKS {
        return Err(internal(format!("a password hash asks for {needed} KiB")));
    }
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    Ok(())
}

/// Argon2 of `password` with `salt`, `len` bytes long, computed in the thread's `memory`.
fn compute(
    memory: &mut Vec<Block>,
    (algorithm, version, params): (Algorithm, Version, Params),
    password: &str,
    salt: Salt<'_>,
    len: usize,
) -> Result<Output, AppError> {
    working(memory, &params)?;
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(internal)?;
    let argon2 = Argon2::new(algorithm, version, params);
    Output::init_with(len, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), raw_salt, out, &mut memory[..])
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(internal)
}

fn hash_with(memory: &mut Vec<Block>, password: &str) -> Result<String, AppError> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let output = compute(
        memory,
        (Algorithm::Argon2id, Version::V0x13, params.clone()),
        password,
        salt.as_salt(),
        Params::DEFAULT_OUTPUT_LEN,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &str, hash: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(hash).map_err(internal)?;
    let params = Params::try_from(&parsed).map_err(internal)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(internal)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(internal)?
        .unwrap_or_default();
    let expected = parsed
        .hash
        .ok_or_else(|| internal("a password hash without its hash"))?;
    let salt = parsed
        .salt
        .ok_or_else(|| internal("a password hash without its salt"))?;
    let computed = compute(
        memory,
        (algorithm, version, params),
        password,
        salt,
        expected.len(),
    )?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

/// Hands a job to the pool; 429 when the pool and its queue are full.
async fn run<T>(
    job: impl FnOnce(oneshot::Sender<Result<T, AppError>>) -> Job,
) -> Result<T, AppError> {
    let (reply, answer) = oneshot::channel();
    match POOL.try_send(job(reply)) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            return Err(AppError::Busy {
                retry_after_secs: 1,
            });
        }
        Err(TrySendError::Disconnected(_)) => {
            return Err(internal("the password hashing threads are gone"));
        }
    }
    answer
        .await
        .map_err(|_| internal("a password hashing thread stopped"))?
}

/// Verified against when the username is unknown, so both paths cost the same.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    run(|reply| Job::Hash { password, reply }).await
}

/// True when `password` matches `hash`; with `None`, burns the same time and answers false.
pub async fn verify(password: &str, hash: Option<String>) -> Result<bool, AppError> {
    let known = hash.is_some();
    let hash = match hash {
        Some(h) => h,
        None => DUMMY_HASH
            .get_or_try_init(|| self::hash("opsroom-timing-equalizer"))
            .await?
            .clone(),
    };
    let password = password.to_owned();
    let matches = run(|reply| Job::Verify {
        password,
        hash,
        reply,
    })
    .await?;
    Ok(known && matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse", Some(h)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        let salt = SaltString::generate(&mut OsRng);
        let h = Argon2::default()
            .hash_password(b"legacy", &salt)
            .unwrap()
            .to_string();
        assert!(verify("legacy", Some(h.clone())).await.unwrap());
        assert!(!verify("legacy!", Some(h)).await.unwrap());
    }
}
