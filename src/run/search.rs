//! Searching a box of parameters for values that reproduce observed facts: a point estimate
//! (Nelder–Mead) and a posterior sample (ABC sequential Monte Carlo).
//!
//! Both work on the unit cube `[0, 1]^k` (the caller maps it onto the parameters' ranges) and
//! call an [`Objective`]: a distance between what a point's runs give and what history shows.
//! Neither knows what a scenario is. Written here because no maintained crate offers an ABC
//! sampler, and the simplex crates do not keep their points inside a box; both are short and
//! tested against problems with known answers (tests at the bottom).

use rand::{Rng, RngExt};

/// What a search evaluates: a distance at a point of the unit cube.
pub trait Objective {
    type Error;
    /// The distance at `x` (every coordinate in [0, 1]); `stage` names the part of the search
    /// that asks, for the record of points.
    fn evaluate(&mut self, x: &[f64], stage: &str) -> Result<f64, Self::Error>;
    /// How many points have been run so far (repeated points may be free).
    fn spent(&self) -> usize;
}

/// Nelder–Mead on the unit cube (points clamped into it), from `start`, until `budget` points
/// have been run in all or the simplex has collapsed (Lagarias et al. 1998 coefficients:
/// reflection 1, expansion 2, contraction ½, shrink ½; initial steps of 0.15).
pub fn nelder_mead<O: Objective>(objective: &mut O, start: Vec<f64>, budget: usize) -> Result<(), O::Error> {
    let k = start.len();
    let clamp = |x: Vec<f64>| x.into_iter().map(|v| v.clamp(0.0, 1.0)).collect::<Vec<f64>>();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let f0 = objective.evaluate(&start, "local")?;
    simplex.push((start.clone(), f0));
    for i in 0..k {
        let mut x = start.clone();
        x[i] = if x[i] + 0.15 <= 1.0 { x[i] + 0.15 } else { x[i] - 0.15 };
        let f = objective.evaluate(&x, "local")?;
        simplex.push((x, f));
    }
    let along = |a: &[f64], b: &[f64], t: f64| clamp(a.iter().zip(b).map(|(a, b)| a + t * (b - a)).collect());
    // An iteration runs at most k + 2 new points (a shrink, after a reflection and a contraction).
    while objective.spent() + k + 2 <= budget {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let worst = simplex[k].clone();
        let centroid: Vec<f64> = (0..k)
            .map(|d| simplex[..k].iter().map(|p| p.0[d]).sum::<f64>() / k as f64)
            .collect();
        let reflected = along(&centroid, &worst.0, -1.0);
        let fr = objective.evaluate(&reflected, "local")?;
        if fr < simplex[0].1 {
            let expanded = along(&centroid, &worst.0, -2.0);
            let fe = objective.evaluate(&expanded, "local")?;
            simplex[k] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (reflected, fr);
        } else {
            let contracted = along(&centroid, &worst.0, 0.5);
            let fc = objective.evaluate(&contracted, "local")?;
            if fc < worst.1 {
                simplex[k] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let x = along(&best, &p.0, 0.5);
                    p.1 = objective.evaluate(&x, "local")?;
                    p.0 = x;
                }
            }
        }
        // A simplex that has collapsed onto one point has nothing left to search.
        let spread = simplex
            .iter()
            .map(|p| p.0.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max))
            .fold(0.0, f64::max);
        if spread < 1e-4 {
            break;
        }
    }
    Ok(())
}

/// Settings of an ABC-SMC search.
#[derive(Debug, Clone)]
pub struct AbcOptions {
    /// Particles per generation (the size of the posterior sample).
    pub particles: usize,
    /// Each generation's tolerance is this quantile of the previous generation's distances.
    pub quantile: f64,
    /// The tolerance to reach: the search stops after the generation that reaches it.
    pub epsilon: f64,
    /// At most how many points to run in all.
    pub budget: usize,
}

/// One generation of particles: points of the unit cube, their normalised weights and
/// distances, and the tolerance they were accepted under.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub epsilon: f64,
    pub particles: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    pub distances: Vec<f64>,
    /// Points run to fill the generation (the acceptance rate is particles / proposed).
    pub proposed: usize,
}

/// ABC sequential Monte Carlo (Beaumont, Cornuet, Marin & Robert 2009, population Monte Carlo
/// with an adaptive tolerance as in Del Moral, Doucet & Jasra 2012), with a uniform prior on the
/// unit cube. Generation 0 draws `particles` points from the prior. Each next generation's
/// tolerance is the `quantile` of the last one's distances (never below `epsilon`); its
/// particles are drawn from the last generation by weight, moved by a Gaussian kernel with
/// twice the weighted covariance, kept when inside the cube and within the tolerance, and
/// weighted by prior / Σ_j w_j K(θ | θ_j). It stops after the generation that reaches
/// `epsilon`, or when the budget would be overrun (a generation cut short is dropped), and
/// returns every complete generation, the last being the posterior sample.
pub fn abc_smc<O: Objective, R: Rng>(objective: &mut O, k: usize, options: &AbcOptions, rng: &mut R) -> Result<Vec<Generation>, O::Error> {
    let n = options.particles.max(2);
    let mut generations: Vec<Generation> = Vec::new();
    let mut first = Generation {
        epsilon: f64::INFINITY,
        particles: Vec::with_capacity(n),
        weights: vec![1.0 / n as f64; n],
        distances: Vec::with_capacity(n),
        proposed: n,
    };
    for _ in 0..n {
        let x: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
        let d = objective.evaluate(&x, "generation 0")?;
        first.particles.push(x);
        first.distances.push(d);
    }
    generations.push(first);
    loop {
        let last = generations.last().expect("generation 0");
        if last.epsilon <= options.epsilon {
            break;
        }
        let epsilon = weighted_quantile(&last.distances, &last.weights, options.quantile).max(options.epsilon);
        let kernel = Kernel::new(last, k);
        let stage = format!("generation {}", generations.len());
        let mut next = Generation {
            epsilon,
            particles: Vec::with_capacity(n),
            weights: Vec::with_capacity(n),
            distances: Vec::with_capacity(n),
            proposed: 0,
        };
        // Proposals outside the cube cost nothing (the prior is zero there) but are bounded, so
        // a kernel wider than the cube cannot loop for ever.
        let mut outside = 0usize;
        while next.particles.len() < n && objective.spent() < options.budget && outside < 1000 * n {
            let j = pick(&last.weights, rng.random::<f64>());
            let x = kernel.perturb(&last.particles[j], rng);
            if x.iter().any(|v| !(0.0..=1.0).contains(v)) {
                outside += 1;
                continue;
            }
            next.proposed += 1;
            let d = objective.evaluate(&x, &stage)?;
            if d <= epsilon {
                let density: f64 = last
                    .particles
                    .iter()
                    .zip(&last.weights)
                    .map(|(p, w)| w * kernel.density(&x, p))
                    .sum();
                next.weights.push(if density > 0.0 { 1.0 / density } else { 0.0 });
                next.particles.push(x);
                next.distances.push(d);
            }
        }
        if next.particles.len() < n {
            break;
        }
        let total: f64 = next.weights.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            break;
        }
        next.weights.iter_mut().for_each(|w| *w /= total);
        // A generation that no longer narrows the tolerance has nothing left to teach.
        let stalled = epsilon >= last.epsilon;
        generations.push(next);
        if stalled {
            break;
        }
    }
    Ok(generations)
}

/// The index drawn by `u` in [0, 1) from normalised weights (the last index on rounding).
fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// The weighted `q`-quantile of `values` (the smallest value whose cumulative weight reaches q).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i] / total;
        if acc >= q - 1e-12 {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// A Gaussian perturbation kernel with covariance 2 Σ (Σ the weighted covariance of a
/// generation, plus a small ridge so it stays positive definite), by its Cholesky factor.
struct Kernel {
    /// Lower-triangular L with L Lᵀ = 2 Σ, row-major k × k.
    chol: Vec<f64>,
    k: usize,
    /// log of the normal density's constant: −½ k log 2π − Σ log L_ii.
    log_norm: f64,
}

impl Kernel {
    fn new(g: &Generation, k: usize) -> Kernel {
        let mean: Vec<f64> = (0..k)
            .map(|d| g.particles.iter().zip(&g.weights).map(|(p, w)| w * p[d]).sum())
            .collect();
        let mut cov = vec![0.0; k * k];
        for (p, w) in g.particles.iter().zip(&g.weights) {
            for a in 0..k {
                for b in 0..k {
                    cov[a * k + b] += w * (p[a] - mean[a]) * (p[b] - mean[b]);
                }
            }
        }
        for a in 0..k {
            for b in 0..k {
                cov[a * k + b] *= 2.0;
            }
            cov[a * k + a] += 1e-8;
        }
        let chol = cholesky(&cov, k);
        let log_norm = -0.5 * k as f64 * (2.0 * std::f64::consts::PI).ln() - (0..k).map(|i| chol[i * k + i].ln()).sum::<f64>();
        Kernel { chol, k, log_norm }
    }

    fn perturb<R: Rng>(&self, x: &[f64], rng: &mut R) -> Vec<f64> {
        let z: Vec<f64> = (0..self.k).map(|_| standard_normal(rng)).collect();
        (0..self.k)
            .map(|a| x[a] + (0..=a).map(|b| self.chol[a * self.k + b] * z[b]).sum::<f64>())
            .collect()
    }

    /// The kernel's density at `x` centred on `centre`.
    fn density(&self, x: &[f64], centre: &[f64]) -> f64 {
        // Solve L y = x − centre; the density is exp(log_norm − ½ |y|²).
        let k = self.k;
        let mut y = vec![0.0; k];
        for a in 0..k {
            let s: f64 = (0..a).map(|b| self.chol[a * k + b] * y[b]).sum();
            y[a] = (x[a] - centre[a] - s) / self.chol[a * k + a];
        }
        (self.log_norm - 0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
    }
}

/// The Cholesky factor of a symmetric positive definite k × k matrix (row-major); a pivot that
/// is not positive is replaced by a tiny one, so a degenerate population still gives a kernel.
fn cholesky(m: &[f64], k: usize) -> Vec<f64> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|p| l[i * k + p] * l[j * k + p]).sum();
            if i == j {
                let v = m[i * k + i] - s;
                l[i * k + i] = if v > 1e-12 { v.sqrt() } else { 1e-6 };
            } else {
                l[i * k + j] = (m[i * k + j] - s) / l[j * k + j];
            }
        }
    }
    l
}

/// A standard normal draw (Box–Muller; one of the pair is used, so the stream stays simple).
fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1]
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// A distance with a known minimum, counting its evaluations.
    struct Bowl {
        centre: Vec<f64>,
        scale: f64,
        spent: usize,
    }

    impl Objective for Bowl {
        type Error = ();
        fn evaluate(&mut self, x: &[f64], _: &str) -> Result<f64, ()> {
            self.spent += 1;
            Ok(x.iter().zip(&self.centre).map(|(a, b)| ((a - b) / self.scale).powi(2)).sum())
        }
        fn spent(&self) -> usize {
            self.spent
        }
    }

    #[test]
    fn nelder_mead_finds_the_minimum_of_a_bowl_inside_the_box() {
        let mut bowl = Bowl {
            centre: vec![0.3, 0.7],
            scale: 1.0,
            spent: 0,
        };
        struct Best<'a>(&'a mut Bowl, (f64, Vec<f64>));
        impl Objective for Best<'_> {
            type Error = ();
            fn evaluate(&mut self, x: &[f64], s: &str) -> Result<f64, ()> {
                let d = self.0.evaluate(x, s)?;
                if d < self.1.0 {
                    self.1 = (d, x.to_vec());
                }
                Ok(d)
            }
            fn spent(&self) -> usize {
                self.0.spent
            }
        }
        let mut best = Best(&mut bowl, (f64::INFINITY, vec![]));
        nelder_mead(&mut best, vec![0.9, 0.1], 200).unwrap();
        let (d, x) = best.1.clone();
        assert!(d < 1e-6, "distance {d} at {x:?}");
        assert!(best.0.spent <= 200);
        // A minimum outside the box is found on its edge.
        let mut edge = Best(
            &mut Bowl {
                centre: vec![1.4, 0.5],
                scale: 1.0,
                spent: 0,
            },
            (f64::INFINITY, vec![]),
        );
        nelder_mead(&mut edge, vec![0.2, 0.2], 200).unwrap();
        assert!(
            (edge.1.1[0] - 1.0).abs() < 1e-3 && (edge.1.1[1] - 0.5).abs() < 1e-2,
            "{:?}",
            edge.1.1
        );
    }

    #[test]
    fn abc_smc_recovers_the_region_within_tolerance() {
        // Distance ((x − 0.3)/0.05)² + ((y − 0.6)/0.2)² ≤ 2: the accepted set is an ellipse with
        // half-widths 0.05·√2 and 0.2·√2 around (0.3, 0.6). Under a uniform prior the
        // posterior is uniform on it: mean (0.3, 0.6), sd of x √2·0.05/2 ≈ 0.035, of y ≈ 0.14.
        let mut bowl = Bowl {
            centre: vec![0.3, 0.6],
            scale: 1.0,
            spent: 0,
        };
        struct Scaled<'a>(&'a mut Bowl);
        impl Objective for Scaled<'_> {
            type Error = ();
            fn evaluate(&mut self, x: &[f64], _: &str) -> Result<f64, ()> {
                self.0.spent += 1;
                Ok(((x[0] - 0.3) / 0.05).powi(2) + ((x[1] - 0.6) / 0.2).powi(2))
            }
            fn spent(&self) -> usize {
                self.0.spent
            }
        }
        let options = AbcOptions {
            particles: 400,
            quantile: 0.5,
            epsilon: 2.0,
            budget: 20_000,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let gens = abc_smc(&mut Scaled(&mut bowl), 2, &options, &mut rng).unwrap();
        let post = gens.last().unwrap();
        assert_eq!(post.epsilon, 2.0, "reached the tolerance in {} generations", gens.len());
        assert!(gens.len() >= 3);
        assert!(post.distances.iter().all(|&d| d <= 2.0));
        assert!((post.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let mean = |d: usize| post.particles.iter().zip(&post.weights).map(|(p, w)| w * p[d]).sum::<f64>();
        let sd = |d: usize| {
            let m = mean(d);
            post.particles
                .iter()
                .zip(&post.weights)
                .map(|(p, w)| w * (p[d] - m).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        // With 400 weighted particles (effective size above 100), the mean's standard error is
        // below sd/10: x within 0.01 of 0.3, y within 0.04 of 0.6; the sds within 25 %.
        assert!((mean(0) - 0.3).abs() < 0.01, "mean x {}", mean(0));
        assert!((mean(1) - 0.6).abs() < 0.04, "mean y {}", mean(1));
        let (sx, sy) = (0.05 * 2f64.sqrt() / 2.0, 0.2 * 2f64.sqrt() / 2.0);
        assert!((sd(0) / sx - 1.0).abs() < 0.25, "sd x {} vs {sx}", sd(0));
        assert!((sd(1) / sy - 1.0).abs() < 0.25, "sd y {} vs {sy}", sd(1));
        // Tolerances shrink from one generation to the next.
        assert!(gens.windows(2).all(|w| w[1].epsilon < w[0].epsilon));
    }

    #[test]
    fn abc_smc_stops_within_its_budget_and_keeps_complete_generations() {
        let mut bowl = Bowl {
            centre: vec![0.5],
            scale: 0.01,
            spent: 0,
        };
        let options = AbcOptions {
            particles: 50,
            quantile: 0.5,
            epsilon: 1e-9,
            budget: 300,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let gens = abc_smc(&mut bowl, 1, &options, &mut rng).unwrap();
        assert!(bowl.spent <= 300, "spent {}", bowl.spent);
        assert!(gens.iter().all(|g| g.particles.len() == 50));
        assert!(gens.last().unwrap().epsilon > 1e-9);
    }

    #[test]
    fn weighted_quantile_and_pick() {
        assert_eq!(weighted_quantile(&[3.0, 1.0, 2.0], &[1.0, 1.0, 1.0], 0.5), 2.0);
        assert_eq!(weighted_quantile(&[3.0, 1.0, 2.0], &[0.1, 0.1, 0.8], 0.5), 2.0);
        assert_eq!(weighted_quantile(&[3.0, 1.0, 2.0], &[0.8, 0.1, 0.1], 0.5), 3.0);
        assert_eq!(pick(&[0.2, 0.3, 0.5], 0.1), 0);
        assert_eq!(pick(&[0.2, 0.3, 0.5], 0.25), 1);
        assert_eq!(pick(&[0.2, 0.3, 0.5], 0.99), 2);
    }

    #[test]
    fn kernel_density_integrates_to_one_and_perturbs_with_its_covariance() {
        let g = Generation {
            epsilon: 1.0,
            particles: vec![vec![0.2, 0.1], vec![0.4, 0.5], vec![0.6, 0.3], vec![0.3, 0.6]],
            weights: vec![0.25; 4],
            distances: vec![0.0; 4],
            proposed: 4,
        };
        let kernel = Kernel::new(&g, 2);
        // Riemann sum over a wide grid.
        let h = 0.01;
        let mut total = 0.0;
        for i in -300..300 {
            for j in -300..300 {
                total += kernel.density(&[i as f64 * h, j as f64 * h], &[0.0, 0.0]) * h * h;
            }
        }
        assert!((total - 1.0).abs() < 1e-3, "integral {total}");
        // Sample covariance of perturbations matches 2 Σ.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 20_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| kernel.perturb(&[0.0, 0.0], &mut rng)).collect();
        let var0 = draws.iter().map(|d| d[0] * d[0]).sum::<f64>() / n as f64;
        let cov01 = draws.iter().map(|d| d[0] * d[1]).sum::<f64>() / n as f64;
        // Σ of the particles: var x 0.021875, cov xy 0.004375 (weights ¼): doubled.
        assert!((var0 / 0.04375 - 1.0).abs() < 0.05, "var {var0}");
        assert!((cov01 / 0.00875 - 1.0).abs() < 0.1, "cov {cov01}");
    }
}
