//! How every object is numbered for people, the same on every page, list, message and mail: a
//! prefix and at least six digits (`INC-000008`).

/// The prefixes of the kinds people refer to by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    Alarm,
    Change,
    Incident,
    Improvement,
    Problem,
    WarRoom,
}

impl Prefix {
    fn as_str(self) -> &'static str {
        match self {
            Prefix::Alarm => "ALM",
            Prefix::Change => "CHG",
            Prefix::Incident => "INC",
            Prefix::Improvement => "IMP",
            Prefix::Problem => "PRB",
            Prefix::WarRoom => "WR",
        }
    }

    /// "INC-000008"
    pub fn number(self, id: i64) -> String {
        format!("{}-{id:06}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Prefix;

    #[test]
    fn numbers_have_their_prefix_and_six_digits_at_least() {
        assert_eq!(Prefix::Incident.number(8), "INC-000008");
        assert_eq!(Prefix::WarRoom.number(1_234_567), "WR-1234567");
        assert_eq!(Prefix::Alarm.number(42), "ALM-000042");
    }
}
