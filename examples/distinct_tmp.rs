// Temporary: distinct memberships behind the backtest's unpredictable counts (not committed).
use pactsim::data::import;
use pactsim::data::{Dataset, year_end};
use std::collections::HashSet;
fn main() {
    let data = Dataset::embedded().unwrap();
    let (mut na, mut ns) = (HashSet::new(), HashSet::new());
    let (mut na_n, mut ns_n) = (0u64, 0u64);
    let (mut deaths_exits, mut dead_pairs) = (0u64, HashSet::new());
    for start in 1946..=2016 {
        let core = data.system(start);
        let w = import::world(&data, &core, false, start);
        let states: HashSet<u16> = w.states.iter().copied().collect();
        let at_start: HashSet<(u32, u16)> = data.memberships_at(year_end(start)).into_iter().collect();
        let rounds = 5.min(2018 - start);
        for k in 1..=rounds {
            let year = start + k;
            let sys: HashSet<u16> = data.system(year).into_iter().collect();
            let obs: HashSet<(u32, u16)> = data.memberships_at(year_end(year)).into_iter().collect();
            for &(a, c) in &obs {
                if !sys.contains(&c) { continue; }
                if states.contains(&c) && !data.survives(c, year_end(start), year_end(year)) { continue; }
                if !states.contains(&c) { ns_n += 1; ns.insert((a, c)); }
                else if !w.pacts.contains_key(&a) { na_n += 1; na.insert((a, c)); }
            }
            // Old rule's state-death exits: member at start, pact in world, state has an NMC row in
            // `year` but is not a state on its 31 December (or died in between), and not a member then.
            for (&a, ms) in &w.pacts {
                for &c in ms {
                    let nmc_alive = data.cinc.contains_key(&(c, year.min(2016)));
                    if at_start.contains(&(a, c)) && nmc_alive && !data.survives(c, year_end(start), year_end(year)) && !obs.contains(&(a, c)) {
                        deaths_exits += 1;
                        dead_pairs.insert((a, c));
                    }
                }
            }
        }
    }
    // The old rule, as the importer before issue 20 built worlds: NMC rows.
    let (mut old_dead_exits, mut old_exits) = (0u64, 0u64);
    let mut old_dead_distinct = HashSet::new();
    for start in 1946..=2016 {
        let nmc = |y: i32| -> Vec<u16> { data.states.keys().copied().filter(|&c| data.cinc.contains_key(&(c, y.min(2016)))).collect() };
        let sys: HashSet<u16> = nmc(start).into_iter().collect();
        let at_start: HashSet<(u32, u16)> = data.memberships_at(year_end(start)).into_iter().collect();
        let mut count: std::collections::BTreeMap<u32, usize> = Default::default();
        for &(a, c) in &at_start { if sys.contains(&c) { *count.entry(a).or_default() += 1; } }
        let rounds = 5.min(2018 - start);
        for k in 1..=rounds {
            let year = start + k;
            let alive: HashSet<u16> = nmc(year).into_iter().collect();
            let obs: HashSet<(u32, u16)> = data.memberships_at(year_end(year)).into_iter().collect();
            for (&a, &n) in &count {
                if n < 2 { continue; }
                for &c in &sys {
                    if !alive.contains(&c) { continue; }
                    if at_start.contains(&(a, c)) && !obs.contains(&(a, c)) {
                        old_exits += 1;
                        if !data.alive(c, year_end(year)) || !data.survives(c, year_end(start), year_end(year)) {
                            old_dead_exits += 1;
                            old_dead_distinct.insert((a, c));
                        }
                    }
                }
            }
        }
    }
    println!("old rule: {old_exits} exit pair-years, {old_dead_exits} of states not a state on the date or dead since the start ({} distinct memberships)", old_dead_distinct.len());
    println!("new alliance memberships: {na_n} membership-years, {} distinct", na.len());
    println!("new state memberships: {ns_n} membership-years, {} distinct", ns.len());
    println!("exits under the NMC rule that are state deaths (among today's worlds' members): {deaths_exits} pair-years, {} distinct", dead_pairs.len());
}
