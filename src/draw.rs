//! Random draws written out on a generator's 64-bit outputs, so that results depend only on the
//! ChaCha8 stream, never on how a version of `rand` maps bits to floats or integers (its
//! `random_range` and `shuffle` are not promised stable across versions). And the streams of
//! the master seed that are not replicates': replicate `i` draws from stream `i`, so the
//! streams a study draws its design or its resamples from are numbered down from the last.
//!
//! The engine's own copies (`model::uniform` and its shuffle) are the same algorithms.

use rand::Rng;

/// A uniform number in [0, 1) from the top 53 bits of one 64-bit output.
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in 0..n (n ≥ 1) from one 64-bit output, by multiply-shift (Lemire): the
/// high 64 bits of output × n. Its bias is below n / 2⁶⁴.
pub fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Fisher–Yates with [`below`]: the shuffle of the engine and of the generated worlds.
pub fn shuffle<T, R: Rng + ?Sized>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

/// Fisher–Yates with the index ⌊[`uniform`] · (i + 1)⌋ (kept at most i): another algorithm than
/// [`shuffle`] on the same outputs, the one Latin hypercube designs have always used (their
/// points, and so every sweep written with one, depend on it).
pub fn shuffle_by_uniform<T, R: Rng + ?Sized>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = (uniform(rng) * (i + 1) as f64) as usize;
        items.swap(i, j.min(i));
    }
}

/// The streams of a master seed that studies draw from, besides the replicates' (0, 1, 2, …).
pub mod stream {
    /// The Morris design's trajectories.
    pub const MORRIS: u64 = u64::MAX;
    /// The ABC sampler of `fit --method abc` (a fit never uses a Morris design, so the two
    /// share the last stream).
    pub const ABC: u64 = u64::MAX;
    /// The bootstrap resamples of Sobol indices.
    pub const SOBOL_BOOTSTRAP: u64 = u64::MAX - 1;
    /// The Latin hypercube design's strata and points.
    pub const LATIN_HYPERCUBE: u64 = u64::MAX - 2;
}

/// A ChaCha8 generator seeded with `seed`, on `stream`.
pub fn generator(seed: u64, stream: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each draw is what its definition says of the generator's outputs.
    #[test]
    fn draws_follow_their_definitions() {
        let mut rng = generator(7, 3);
        let u: Vec<f64> = (0..3).map(|_| uniform(&mut rng)).collect();
        let mut rng = generator(7, 3);
        let raw: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        for (u, r) in u.iter().zip(&raw) {
            assert_eq!(*u, (r >> 11) as f64 / (1u64 << 53) as f64);
            assert!((0.0..1.0).contains(u));
        }
        let mut rng = generator(7, 3);
        assert_eq!(below(&mut rng, 10), ((u128::from(raw[0]) * 10) >> 64) as usize);
        // Both shuffles permute; on the same outputs they may differ.
        let mut a: Vec<usize> = (0..20).collect();
        shuffle(&mut a, &mut generator(1, 2));
        let mut b: Vec<usize> = (0..20).collect();
        shuffle_by_uniform(&mut b, &mut generator(1, 2));
        let (mut sa, mut sb) = (a.clone(), b.clone());
        sa.sort_unstable();
        sb.sort_unstable();
        assert_eq!(sa, (0..20).collect::<Vec<_>>());
        assert_eq!(sb, sa);
        assert_ne!(a, (0..20).collect::<Vec<_>>());
    }
}
