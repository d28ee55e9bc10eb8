//! The ingestion load generator of `make bench`: pushes generic events with unique dedup keys to
//! a data source's push URL and prints one `RESULT` line with events/s and the ack latency
//! percentiles.
//!
//!   loadgen URL --connections 32 --batch 1 --seconds 20          as fast as the server acks
//!   loadgen URL --connections 64 --batch 1 --seconds 20 --rate 1000   a steady 1,000 events/s
//!
//!   loadgen URL --rate 1000 --page-every 10 --webhook 127.0.0.1:3201
//!       and every tenth event is a page (name `bench page …`, label `page=yes`): the run also
//!       receives webhooks on that address and prints a `PAGED` line with how many pages were
//!       delivered and how long each took from push to webhook
//!
//! At a fixed rate each request's latency counts from when it was due, not from when it went
//! out, so a stalled server cannot hide its queue (no coordinated omission). On standard error
//! it prints latency over time: per second of the run, the acks, p50, p99 and the slowest, so a
//! periodic stall shows as the seconds it hits.
//!
//! Each connection is one plain HTTP/1.1 connection of its own (no shared client pool), so the
//! generator costs the machine little beside the server it measures, as pgbench's client does
//! beside PostgreSQL.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

struct Args {
    url: String,
    connections: usize,
    batch: usize,
    seconds: u64,
    rate: Option<f64>,
    page_every: Option<u64>,
    webhook: Option<SocketAddr>,
}

fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or(
        "usage: loadgen URL [--connections N] [--batch N] [--seconds N] [--rate EVENTS_PER_S] \
         [--page-every N --webhook ADDR]",
    )?;
    let mut parsed = Args {
        url,
        connections: 32,
        batch: 1,
        seconds: 20,
        rate: None,
        page_every: None,
        webhook: None,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag} {value}: not a number");
        match flag.as_str() {
            "--connections" => parsed.connections = value.parse().map_err(bad)?,
            "--batch" => parsed.batch = value.parse().map_err(bad)?,
            "--seconds" => parsed.seconds = value.parse().map_err(bad)?,
            "--rate" => {
                parsed.rate = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--rate {value}: not a number"))?,
                )
            }
            "--page-every" => parsed.page_every = Some(value.parse().map_err(bad)?),
            "--webhook" => {
                parsed.webhook = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--webhook {value}: not an address"))?,
                )
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if parsed.page_every.is_some() != parsed.webhook.is_some() || parsed.page_every == Some(0) {
        return Err("--page-every (at least 1) and --webhook go together".into());
    }
    Ok(parsed)
}

/// A body of `batch` events with keys no other request uses; a page's one event is named after
/// the request, so its webhook says which push it answers.
fn body(run: u128, request: u64, batch: usize, page: bool) -> String {
    let events: Vec<String> = (0..batch)
        .map(|i| {
            if page {
                format!(
                    r#"{{"dedup_key":"bench-{run}-{request}-{i}","name":"{PAGE} {request}","level":"major","labels":{{"bench":"yes","page":"yes"}}}}"#
                )
            } else {
                format!(
                    r#"{{"dedup_key":"bench-{run}-{request}-{i}","name":"bench event","level":"minor","labels":{{"bench":"yes"}}}}"#
                )
            }
        })
        .collect();
    if batch == 1 {
        events.into_iter().next().unwrap_or_default()
    } else {
        format!("[{}]", events.join(","))
    }
}

const PAGE: &str = "bench page";

struct Tally {
    /// When each acked request was due (since the start), and how long its ack took from then.
    latencies: Mutex<Vec<(Duration, Duration)>>,
    errors: AtomicU64,
    next: AtomicU64,
    /// Acked pages by request number: when each was due.
    paged: Mutex<HashMap<u64, Instant>>,
    /// Webhooks by the request they answer: when the first arrived, and how many did.
    delivered: Mutex<HashMap<u64, (Instant, u32)>>,
}

/// The webhook receiver: notes when the page each delivery names arrived.
async fn receive(
    axum::extract::State(tally): axum::extract::State<Arc<Tally>>,
    body: String,
) -> axum::http::StatusCode {
    let at = Instant::now();
    let title = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["title"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let request = title
        .find(PAGE)
        .and_then(|i| title[i + PAGE.len()..].trim().parse::<u64>().ok());
    if let Some(request) = request {
        tally
            .delivered
            .lock()
            .await
            .entry(request)
            .and_modify(|(_, n)| *n += 1)
            .or_insert((at, 1));
    }
    axum::http::StatusCode::OK
}

/// Where the pushes go: the server's address and the request target.
struct Target {
    addr: String,
    authority: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self, String> {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
        let authority = uri
            .authority()
            .ok_or(format!("{url}: no host"))?
            .to_string();
        let addr = if uri.port().is_some() {
            authority.clone()
        } else {
            format!("{authority}:80")
        };
        let path = uri
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned());
        Ok(Self {
            addr,
            authority,
            path,
        })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let stream = tokio::net::TcpStream::connect(&self.addr)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.addr))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }
}

/// How long a push may take before it counts as an error.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One connection, reopened after a failure.
struct Connection {
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Connection {
    /// Pushes one body; whether the server acknowledged it with 202.
    async fn push(&mut self, target: &Target, body: String) -> bool {
        let sender = match self.sender.take() {
            Some(sender) if !sender.is_closed() => sender,
            _ => match target.connect().await {
                Ok(sender) => sender,
                Err(_) => return false,
            },
        };
        let mut sender = sender;
        if sender.ready().await.is_err() {
            return false;
        }
        let request = hyper::Request::post(&target.path)
            .header(hyper::header::HOST, &target.authority)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)));
        let Ok(request) = request else { return false };
        let answered = tokio::time::timeout(TIMEOUT, async {
            let response = sender.send_request(request).await.ok()?;
            let accepted = response.status().as_u16() == 202;
            response.into_body().collect().await.ok()?;
            Some(accepted)
        })
        .await;
        let (accepted, read) = match answered {
            Ok(Some(accepted)) => (accepted, true),
            _ => (false, false),
        };
        if read {
            self.sender = Some(sender);
        }
        accepted && read
    }
}

async fn send(
    connection: &mut Connection,
    args: &Args,
    target: &Target,
    tally: &Tally,
    run: u128,
    started: Instant,
    due: Instant,
) {
    let n = tally.next.fetch_add(1, Ordering::Relaxed);
    let page = args.page_every.is_some_and(|every| n.is_multiple_of(every));
    let ok = connection
        .push(target, body(run, n, args.batch, page))
        .await;
    if ok && page {
        tally.paged.lock().await.insert(n, due);
    }
    if ok {
        tally
            .latencies
            .lock()
            .await
            .push((due.duration_since(started), due.elapsed()));
    } else {
        tally.errors.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Arc::new(args()?);
    let target = Arc::new(Target::parse(&args.url)?);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_nanos();
    let tally = Arc::new(Tally {
        latencies: Mutex::new(Vec::new()),
        errors: AtomicU64::new(0),
        next: AtomicU64::new(0),
        paged: Mutex::default(),
        delivered: Mutex::default(),
    });
    if let Some(addr) = args.webhook {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot receive webhooks on {addr}: {e}"))?;
        let hooks = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(tally.clone());
        tokio::spawn(async move { axum::serve(listener, hooks).await });
    }
    let started = Instant::now();
    let end = started + Duration::from_secs(args.seconds);
    match args.rate {
        None => {
            let workers: Vec<_> = (0..args.connections)
                .map(|_| {
                    let (target, args, tally) = (target.clone(), args.clone(), tally.clone());
                    tokio::spawn(async move {
                        let mut connection = Connection { sender: None };
                        while Instant::now() < end {
                            let now = Instant::now();
                            send(&mut connection, &args, &target, &tally, run, started, now).await;
                        }
                    })
                })
                .collect();
            for w in workers {
                w.await.map_err(|e| e.to_string())?;
            }
        }
        Some(rate) => {
            // One request every `batch / rate` seconds, at most `connections` in flight, each
            // on a connection no other request is using.
            let every = Duration::from_secs_f64(args.batch as f64 / rate);
            let slots = Arc::new(tokio::sync::Semaphore::new(args.connections));
            let idle = Arc::new(std::sync::Mutex::new(
                (0..args.connections)
                    .map(|_| Connection { sender: None })
                    .collect::<Vec<_>>(),
            ));
            let mut due = started;
            let mut inflight = Vec::new();
            while due < end {
                tokio::time::sleep_until(due.into()).await;
                let permit = slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|e| e.to_string())?;
                let (target, args, tally) = (target.clone(), args.clone(), tally.clone());
                let idle = idle.clone();
                let at = due;
                inflight.push(tokio::spawn(async move {
                    let taken = idle.lock().map(|mut i| i.pop()).ok().flatten();
                    let mut connection = taken.unwrap_or(Connection { sender: None });
                    send(&mut connection, &args, &target, &tally, run, started, at).await;
                    if let Ok(mut idle) = idle.lock() {
                        idle.push(connection);
                    }
                    drop(permit);
                }));
                due += every;
            }
            for r in inflight {
                r.await.map_err(|e| e.to_string())?;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let acks = tally.latencies.lock().await.clone();
    eprintln!("| second | acks | p50 ms | p99 ms | max ms |");
    eprintln!("|---|---|---|---|---|");
    for second in 0..args.seconds {
        let mut these: Vec<Duration> = acks
            .iter()
            .filter(|(due, _)| due.as_secs() == second)
            .map(|(_, l)| *l)
            .collect();
        these.sort();
        eprintln!(
            "| {second} | {} | {:.1} | {:.1} | {:.1} |",
            these.len(),
            percentile(&these, 0.50),
            percentile(&these, 0.99),
            percentile(&these, 1.0)
        );
    }
    let mut latencies: Vec<Duration> = acks.into_iter().map(|(_, l)| l).collect();
    latencies.sort();
    let requests = latencies.len();
    println!(
        "RESULT requests={requests} events={} errors={} eps={:.0} p50_ms={:.1} p99_ms={:.1}",
        requests * args.batch,
        tally.errors.load(Ordering::Relaxed),
        (requests * args.batch) as f64 / elapsed,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );
    if args.webhook.is_some() {
        paged(&tally).await;
    }
    Ok(())
}

/// Waits up to 30 s for every acked page's webhook, then prints the `PAGED` line: push to
/// webhook latency, and the pages whose webhook never came or came twice.
async fn paged(tally: &Tally) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let paged = tally.paged.lock().await;
        let delivered = tally.delivered.lock().await;
        let waiting = paged.keys().any(|n| !delivered.contains_key(n));
        if !waiting || Instant::now() > deadline {
            let mut latencies: Vec<Duration> = paged
                .iter()
                .filter_map(|(n, due)| delivered.get(n).map(|(at, _)| at.duration_since(*due)))
                .collect();
            latencies.sort();
            println!(
                "PAGED sent={} delivered={} missing={} twice={} p50_ms={:.1} p99_ms={:.1} max_ms={:.1}",
                paged.len(),
                latencies.len(),
                paged.len() - latencies.len(),
                delivered.values().filter(|(_, n)| *n > 1).count(),
                percentile(&latencies, 0.50),
                percentile(&latencies, 0.99),
                percentile(&latencies, 1.0)
            );
            return;
        }
        drop((paged, delivered));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `q` quantile of sorted latencies, in milliseconds (0 for none).
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    let at = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
