//! Rounds and dates: what a round stands for, and the calendar date of each round when the
//! scenario has a start date.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundUnit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl RoundUnit {
    pub const NAMES: [&'static str; 5] = ["day", "week", "month", "quarter", "year"];
    pub fn parse(s: &str) -> Option<RoundUnit> {
        Some(match s {
            "day" => RoundUnit::Day,
            "week" => RoundUnit::Week,
            "month" => RoundUnit::Month,
            "quarter" => RoundUnit::Quarter,
            "year" => RoundUnit::Year,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
    /// Mean length in days (for converting lags measured in days).
    pub fn days(self) -> f64 {
        match self {
            RoundUnit::Day => 1.0,
            RoundUnit::Week => 7.0,
            RoundUnit::Month => 365.2425 / 12.0,
            RoundUnit::Quarter => 365.2425 / 4.0,
            RoundUnit::Year => 365.2425,
        }
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// "YYYY-MM" (day 1) or "YYYY-MM-DD".
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = match parts.next() {
            Some(d) => d.parse().ok()?,
            None => 1,
        };
        if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    fn add_months(self, months: i64) -> Date {
        let total = i64::from(self.year) * 12 + i64::from(self.month - 1) + months;
        let year = total.div_euclid(12) as i32;
        let month = total.rem_euclid(12) as u32 + 1;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// What rounds mean in calendar terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub unit: RoundUnit,
    /// The date round 1 is played, if the scenario gives one.
    pub start: Option<Date>,
}

impl Calendar {
    /// The round (1-based) a date falls in; `None` without a start date. May be < 1 for a date
    /// before the start.
    pub fn round_of(&self, date: Date) -> Option<i64> {
        let start = self.start?;
        let months = (i64::from(date.year) - i64::from(start.year)) * 12 + i64::from(date.month) - i64::from(start.month);
        let days = date.days() - start.days();
        Some(
            match self.unit {
                RoundUnit::Day => days,
                RoundUnit::Week => days.div_euclid(7),
                RoundUnit::Month => months,
                RoundUnit::Quarter => months.div_euclid(3),
                RoundUnit::Year => i64::from(date.year) - i64::from(start.year),
            } + 1,
        )
    }

    /// The date round `round` (1-based) is played, if there is a start date.
    pub fn date_of(&self, round: u32) -> Option<Date> {
        let start = self.start?;
        let k = i64::from(round) - 1;
        Some(match self.unit {
            RoundUnit::Day => Date::from_days(start.days() + k),
            RoundUnit::Week => Date::from_days(start.days() + 7 * k),
            RoundUnit::Month => start.add_months(k),
            RoundUnit::Quarter => start.add_months(3 * k),
            RoundUnit::Year => start.add_months(12 * k),
        })
    }

    /// A short label for a round: its date (as precise as the unit needs) or "round N".
    /// Round 0 is the state of the world before round 1 is played.
    pub fn label(&self, round: u32) -> String {
        if round == 0 {
            return "start".to_string();
        }
        match self.date_of(round) {
            None => format!("round {round}"),
            Some(d) => match self.unit {
                RoundUnit::Day | RoundUnit::Week => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
                RoundUnit::Month => format!("{:04}-{:02}", d.year, d.month),
                RoundUnit::Quarter => format!("{:04}-Q{}", d.year, (d.month - 1) / 3 + 1),
                RoundUnit::Year => format!("{:04}", d.year),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2022-05-18", "2024-03-07", "1899-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_days(d.days()), d, "{s}");
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        // Finland: application 2022-05-18, accession 2023-04-04 = 321 days (docs/SOURCES.md).
        assert_eq!(
            Date::parse("2023-04-04").unwrap().days() - Date::parse("2022-05-18").unwrap().days(),
            321
        );
        assert_eq!(
            Date::parse("2024-03-07").unwrap().days() - Date::parse("2022-05-18").unwrap().days(),
            659
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in ["2023-02-29", "2022-13", "2022", "2022-1-1-1", "x-01"] {
            assert_eq!(Date::parse(s), None, "{s}");
        }
    }

    #[test]
    fn monthly_rounds() {
        let c = Calendar {
            unit: RoundUnit::Month,
            start: Date::parse("2021-01"),
        };
        assert_eq!(c.round_of(Date::parse("2022-02-24").unwrap()), Some(14));
        assert_eq!(c.label(14), "2022-02");
        assert_eq!(c.label(0), "start");
        assert_eq!(c.round_of(Date::parse("2020-12").unwrap()), Some(0));
    }
}
