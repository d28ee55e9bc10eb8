//! Live updates: the change notices a server fans out to open pages, the events of the stream
//! that carries them, and where a stream resumes from so that a page misses nothing between
//! being rendered and following, or across a dropped connection.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

/// One change notice, as announced by the store after a commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeNotice {
    /// The object type that changed (`user`, `session`, ...).
    pub topic: String,
    pub id: String,
    pub action: String,
    /// The audit record of the change; 0 for changes without one of their own (alarms raised
    /// by pushes, notifications).
    pub audit_id: i64,
}

/// What a server-sent event carries: its `event` name and its JSON `data`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The stream follows changes from here on.
    Ready(Ready),
    /// Something of a followed topic changed.
    Change(ChangeNotice),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ready {
    /// Changes may have been missed and cannot be replayed (the stream resumed from a point
    /// this server no longer holds, the reader fell behind, or the server lost its database
    /// listener for a while): re-read what you show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed: Option<bool>,
}

/// A point in one server's sequence of notices: every event of a stream carries one as its
/// event id, and a page carries the one it was rendered at. `epoch` names one unbroken run of
/// the server's database listener; a point of another run cannot be resumed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: u64,
    pub seq: u64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}-{}", self.epoch, self.seq)
    }
}

impl FromStr for Cursor {
    type Err = String;

    fn from_str(s: &str) -> Result<Cursor, String> {
        let bad = || format!("'{s}' is not a live cursor (epoch-sequence, as a stream sends)");
        let (epoch, seq) = s.split_once('-').ok_or_else(bad)?;
        Ok(Cursor {
            epoch: u64::from_str_radix(epoch, 16).map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// How a stream starts from a point it was given.
#[derive(Debug, PartialEq)]
pub enum Resume {
    /// These changes came after the point, oldest first.
    Replay(Vec<(Cursor, ChangeNotice)>),
    /// What came after the point is not known here: the reader must re-read.
    Missed,
}

/// The latest notices one server heard, numbered, so a stream can resume where its page stood.
/// Bounded: a point older than the notices held is [`Resume::Missed`], which costs the page one
/// re-read, never a lost change.
#[derive(Debug)]
pub struct Journal {
    /// 0 while the server is not listening: no point taken then can be resumed from.
    epoch: u64,
    /// The number of the newest notice of this epoch (0 before the first).
    last: u64,
    recent: VecDeque<ChangeNotice>,
    capacity: usize,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            epoch: 0,
            last: 0,
            recent: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Where the journal stands: a page rendered now resumes from here.
    pub fn position(&self) -> Cursor {
        Cursor {
            epoch: self.epoch,
            seq: self.last,
        }
    }

    pub fn listening(&self) -> bool {
        self.epoch != 0
    }

    /// The listener started listening (again) as `epoch` (non-zero); what happened while it
    /// was not is unknown, so every earlier point is forgotten.
    pub fn restart(&mut self, epoch: u64) -> Cursor {
        self.epoch = epoch;
        self.last = 0;
        self.recent.clear();
        self.position()
    }

    /// The listener stopped: nothing can be resumed until it listens again.
    pub fn stop(&mut self) {
        self.restart(0);
    }

    /// Numbers a notice that was just heard.
    pub fn record(&mut self, notice: ChangeNotice) -> Cursor {
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(notice);
        self.last += 1;
        self.position()
    }

    /// The notices after `from`, if this journal still holds all of them.
    pub fn since(&self, from: Cursor) -> Resume {
        let held = self.recent.len() as u64;
        let oldest_known = self.last - held;
        if !self.listening()
            || from.epoch != self.epoch
            || from.seq > self.last
            || from.seq < oldest_known
        {
            return Resume::Missed;
        }
        let skip = usize::try_from(from.seq - oldest_known).unwrap_or(usize::MAX);
        Resume::Replay(
            self.recent
                .iter()
                .enumerate()
                .skip(skip)
                .map(|(i, n)| {
                    let seq = oldest_known + i as u64 + 1;
                    (
                        Cursor {
                            epoch: self.epoch,
                            seq,
                        },
                        n.clone(),
                    )
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn notice(n: u64) -> ChangeNotice {
        ChangeNotice {
            topic: "alarm".into(),
            id: n.to_string(),
            action: "ingest".into(),
            audit_id: 0,
        }
    }

    fn ids(resume: Resume) -> Vec<String> {
        match resume {
            Resume::Replay(r) => r.into_iter().map(|(_, n)| n.id).collect(),
            Resume::Missed => panic!("missed"),
        }
    }

    #[test]
    fn cursors_read_back_what_they_print_and_refuse_anything_else() {
        let c = Cursor {
            epoch: 0xdead_beef,
            seq: 42,
        };
        assert_eq!(c.to_string(), "deadbeef-42");
        assert_eq!("deadbeef-42".parse::<Cursor>(), Ok(c));
        for bad in ["", "42", "x-1", "1-x", "1-2-3", "1--2", "-1"] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_page_resumes_with_exactly_the_changes_after_it() {
        let mut j = Journal::new(8);
        j.restart(7);
        j.record(notice(1));
        let rendered = j.position();
        assert_eq!(ids(j.since(rendered)), Vec::<String>::new());
        j.record(notice(2));
        j.record(notice(3));
        assert_eq!(ids(j.since(rendered)), ["2", "3"]);
        let Resume::Replay(replayed) = j.since(rendered) else {
            panic!()
        };
        assert_eq!(replayed.last().unwrap().0, j.position());
    }

    #[test]
    fn a_point_of_another_run_the_future_or_past_the_horizon_is_missed() {
        let mut j = Journal::new(2);
        let before_listening = j.position();
        j.restart(7);
        assert_eq!(j.since(before_listening), Resume::Missed);
        let start = j.position();
        j.record(notice(1));
        j.record(notice(2));
        assert_eq!(ids(j.since(start)), ["1", "2"]);
        j.record(notice(3));
        assert_eq!(j.since(start), Resume::Missed, "notice 1 is no longer held");
        assert_eq!(
            j.since(Cursor { epoch: 7, seq: 9 }),
            Resume::Missed,
            "from the future"
        );
        let held = j.position();
        j.stop();
        assert_eq!(j.since(held), Resume::Missed, "not listening");
        j.restart(8);
        assert_eq!(j.since(held), Resume::Missed, "another run");
    }

    proptest! {
        /// Whatever the capacity and traffic, a resumable point replays every later notice, in
        /// order, once; an unresumable one is only ever the price of a bounded memory.
        #[test]
        fn replays_are_complete_or_missed(capacity in 1usize..16, before in 0u64..40, after in 0u64..40) {
            let mut j = Journal::new(capacity);
            j.restart(1);
            for n in 0..before {
                j.record(notice(n));
            }
            let from = j.position();
            for n in before..before + after {
                j.record(notice(n));
            }
            match j.since(from) {
                Resume::Replay(r) => {
                    let got: Vec<String> = r.iter().map(|(_, n)| n.id.clone()).collect();
                    let want: Vec<String> = (before..before + after).map(|n| n.to_string()).collect();
                    prop_assert_eq!(got, want);
                    prop_assert!(r.iter().enumerate().all(|(i, (c, _))| c.seq == from.seq + i as u64 + 1));
                }
                Resume::Missed => prop_assert!(after > capacity as u64),
            }
        }
    }
}
