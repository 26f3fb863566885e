//! Random problems for the solver's unit tests.

use crate::model::*;

/// A small generator (SplitMix64) independent of the solver's RNG.
pub(crate) struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random problem with `n` clients. `rich` adds time windows, a break,
/// two vehicle types on two profiles, unloads at two facilities, streams and
/// optional clients; otherwise it is a plain CVRP.
pub(crate) fn random_problem(seed: u64, n: usize, rich: bool) -> Problem {
    random_problem_capped(seed, n, rich, UNLIMITED)
}

/// [`random_problem`] whose first facility (the nearer one for about half
/// the clients, accepting every stream) takes at most `capacity` a day.
pub(crate) fn random_problem_capped(seed: u64, n: usize, rich: bool, capacity: Load) -> Problem {
    let mut g = Gen::new(seed);
    let n_fac = if rich { 2 } else { 0 };
    let n_loc = 1 + n + n_fac;
    let xy: Vec<(i64, i64)> = (0..n_loc)
        .map(|_| (g.below(1000) as i64, g.below(1000) as i64))
        .collect();
    let euclid = |i: usize, j: usize| {
        let (dx, dy) = ((xy[i].0 - xy[j].0) as f64, (xy[i].1 - xy[j].1) as f64);
        (dx * dx + dy * dy).sqrt().round() as i64
    };
    let dist = Matrix::from_fn(n_loc, euclid).unwrap();
    let mut b = ProblemBuilder::new();
    b.add_profile(Profile {
        name: "a".into(),
        distance: dist.clone(),
        duration: dist.clone(),
    });
    if rich {
        // A slower, slightly asymmetric profile.
        let dur = Matrix::from_fn(n_loc, |i, j| euclid(i, j) * 2 + (i > j) as i64 * 3).unwrap();
        let d2 = Matrix::from_fn(n_loc, |i, j| euclid(i, j) + (i < j) as i64 * 2).unwrap();
        b.add_profile(Profile {
            name: "b".into(),
            distance: d2,
            duration: dur,
        });
    }
    b.coords(xy.iter().map(|&(x, y)| (x as f64, y as f64)).collect());
    let horizon = 20_000;
    b.add_depot(Depot {
        name: "d".into(),
        location: 0,
        tw: TimeWindow::ALWAYS,
    });
    for i in 0..n {
        let tw = if rich && g.below(3) == 0 {
            let s = g.below(8000) as i64;
            TimeWindow {
                start: s,
                end: s + 1500 + g.below(3000) as i64,
            }
        } else {
            TimeWindow::ALWAYS
        };
        let optional = rich && g.below(4) == 0;
        b.add_client(Client {
            name: format!("c{i}"),
            location: 1 + i,
            demand: [
                1 + g.below(9) as i64,
                if rich { g.below(3) as i64 } else { 0 },
            ],
            service: if rich { 10 + g.below(50) as i64 } else { 0 },
            tw,
            stream: if rich && g.below(5) == 0 { 1 } else { 0 },
            required: !optional,
            prize: if optional {
                200 + g.below(800) as i64
            } else {
                0
            },
            // Some clients only the first vehicle type may serve.
            vehicles: if rich && g.below(6) == 0 {
                1
            } else {
                ALL_VEHICLES
            },
        });
    }
    for f in 0..n_fac {
        b.add_facility(Facility {
            name: format!("f{f}"),
            location: 1 + n + f,
            tw: TimeWindow {
                start: 0,
                end: horizon,
            },
            unload: 30,
            accepts: if f == 0 { ALL_STREAMS } else { 1 },
            vehicles: crate::model::ALL_VEHICLES,
            daily_capacity: if f == 0 { capacity } else { UNLIMITED },
        });
    }
    let mut t = VehicleType::new("big", n, 25);
    if rich {
        t.capacity = [25, 12];
        t.shift = TimeWindow {
            start: 0,
            end: horizon,
        };
        t.max_duration = 9_000;
        t.break_ = Some(Break {
            window: TimeWindow {
                start: 2000,
                end: 4000,
            },
            duration: 300,
        });
        t.max_reloads = 2;
        t.unload_at_end = true;
        t.cost_per_time = 1;
        t.fixed_cost = 500;
        b.add_vehicle_type(t);
        let mut s = VehicleType::new("small", 3, 12);
        s.capacity = [12, 6];
        s.profile = 1;
        s.streams = 1;
        s.max_reloads = 1;
        s.unload_at_end = true;
        s.fixed_cost = 200;
        s.cost_per_distance = 2;
        b.add_vehicle_type(s);
    } else {
        b.add_vehicle_type(t);
    }
    b.build().unwrap()
}

/// Clients on a line that one small truck cannot all carry: no solution
/// is feasible, so the genetic search ends with its escalating repair.
pub(crate) fn overloaded(n: usize) -> Problem {
    line(n, 5, 1, 10)
}

/// A depot at location 0 and `n` required clients at locations `1..=n` on
/// a line (distance 10 per step), each of demand `demand`, served by
/// `count` trucks of capacity `capacity` (cost 1 per unit of distance).
pub(crate) fn line(n: usize, demand: Load, count: usize, capacity: Load) -> Problem {
    let mut b = ProblemBuilder::on_a_line(n + 1, 10, "depot");
    for i in 1..=n {
        b.add_client(Client::required(format!("c{i}"), i, demand));
    }
    b.add_vehicle_type(VehicleType::new("truck", count, capacity));
    b.build().unwrap()
}
