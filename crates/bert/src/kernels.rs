//! The element-wise parts of the encoder, each fused into one pass over a row: bias + GELU,
//! bias + residual + LayerNorm, softmax, embedding lookup + LayerNorm, pooling. Each public
//! function dispatches once (pulp) to a copy of its loop compiled for the widest vector extension
//! the CPU has (AVX-512, else AVX2+FMA, else SSE2), chosen at run time. The loops live in
//! `WithSimd::with_simd` and everything they call is `#[inline(always)]`, so that all of it is
//! compiled with those extensions (a closure would be compiled separately, for plain x86-64).
//! Sums go through [`LANES`] partial sums: f32 addition is not associative, so the compiler will
//! not vectorise a plain running sum.

use pulp::{Arch, Simd, WithSimd};

const LANES: usize = 16;

#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn max(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a = a.max(x);
        }
    }
    acc.iter().fold(tail, |m, &x| m.max(x))
}

/// e^x to about one ulp (Cephes `expf`: x = n·ln 2 + r, a polynomial for e^r, 2^n from the
/// exponent bits), branch-free so that it vectorises.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Below -87 the result would be subnormal; softmax inputs never come near +88.
    let x = x.clamp(-87.0, 88.0);
    // Round x·log2(e) to the nearest integer n by adding 1.5·2²³: in [2²³, 2²⁴) floats are
    // spaced 1 apart, so the sum's low mantissa bits are n itself. That gives 2ⁿ by integer
    // operations on the bits (a float→int cast would not vectorise: Rust's saturates).
    const ROUND: f32 = 12_582_912.0;
    let t = x * std::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    let pow2 = t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127) << 23;
    e * f32::from_bits(pow2)
}

/// erf(x) as a rational function of x (Eigen's `generic_fast_erf_float`, within a few ulp on
/// [-4, 4], ±1 beyond): no exp, no branch.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10;
    p = p * x2 + 2.770_681_4e-8;
    p = p * x2 - 2.101_024e-6;
    p = p * x2 - 5.692_506_4e-5;
    p = p * x2 - 7.349_906_3e-4;
    p = p * x2 - 2.954_6e-3;
    p = p * x2 - 1.609_603_3e-2;
    let mut q = -1.456_607_2e-5;
    q = q * x2 - 2.133_740_6e-4;
    q = q * x2 - 1.682_827e-3;
    q = q * x2 - 7.373_329e-3;
    q = q * x2 - 1.426_474e-2;
    x * p / q
}

/// LayerNorm parameters.
pub struct Norm<'a> {
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

/// Each row of `rows` (rows of `bias.len()`) = gelu(row + bias), the exact (erf) GELU of BERT's
/// `hidden_act: gelu`.
pub fn bias_gelu(rows: &mut [f32], bias: &[f32]) {
    struct Op<'a>(&'a mut [f32], &'a [f32]);
    impl WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            for row in self.0.chunks_exact_mut(self.1.len()) {
                for (v, b) in row.iter_mut().zip(self.1) {
                    let x = *v + b;
                    *v = 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
                }
            }
        }
    }
    Arch::new().dispatch(Op(rows, bias))
}

/// Each row of `rows` += `bias`.
pub fn add_bias(rows: &mut [f32], bias: &[f32]) {
    struct Op<'a>(&'a mut [f32], &'a [f32]);
    impl WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            for row in self.0.chunks_exact_mut(self.1.len()) {
                for (v, b) in row.iter_mut().zip(self.1) {
                    *v += b;
                }
            }
        }
    }
    Arch::new().dispatch(Op(rows, bias))
}

/// Each row of `x` = LayerNorm(row + sub + bias): a sublayer's output `sub` (before its bias)
/// added to the residual, normalised over the row (two passes, as PyTorch).
pub fn residual_norm(x: &mut [f32], sub: &[f32], bias: &[f32], norm: &Norm) {
    struct Op<'a>(&'a mut [f32], &'a [f32], &'a [f32], &'a Norm<'a>);
    impl WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            let Op(x, sub, bias, norm) = self;
            for (row, s) in x
                .chunks_exact_mut(bias.len())
                .zip(sub.chunks_exact(bias.len()))
            {
                for ((v, s), b) in row.iter_mut().zip(s).zip(bias) {
                    *v += s + b;
                }
                layer_norm(row, norm);
            }
        }
    }
    Arch::new().dispatch(Op(x, sub, bias, norm))
}

/// Rows of `x` (`h` wide) = LayerNorm(word[id] + position[p]) for each `(id, p)` of `tokens`.
pub fn embed(x: &mut [f32], tokens: &[(u32, usize)], word: &[f32], pos: &[f32], norm: &Norm) {
    struct Op<'a>(
        &'a mut [f32],
        &'a [(u32, usize)],
        &'a [f32],
        &'a [f32],
        &'a Norm<'a>,
    );
    impl WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            let Op(x, tokens, word, pos, norm) = self;
            let h = norm.gamma.len();
            for (row, &(id, p)) in x.chunks_exact_mut(h).zip(tokens) {
                let w = &word[id as usize * h..][..h];
                let q = &pos[p * h..][..h];
                for ((v, w), q) in row.iter_mut().zip(w).zip(q) {
                    *v = w + q;
                }
                layer_norm(row, norm);
            }
        }
    }
    Arch::new().dispatch(Op(x, tokens, word, pos, norm))
}

/// Softmax of each row (`width` wide) of `rows`, in place.
pub fn softmax(rows: &mut [f32], width: usize) {
    struct Op<'a>(&'a mut [f32], usize);
    impl WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            for row in self.0.chunks_exact_mut(self.1) {
                softmax_row(row);
            }
        }
    }
    Arch::new().dispatch(Op(rows, width))
}

/// The mean of `rows` (`h` wide), scaled to unit length: sentence-transformers' mean pooling and
/// `Normalize` (with its 1e-12 floor on the norm).
pub fn mean_unit(rows: &[f32], h: usize) -> Vec<f32> {
    struct Op<'a>(&'a [f32], usize);
    impl WithSimd for Op<'_> {
        type Output = Vec<f32>;
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) -> Vec<f32> {
            let Op(rows, h) = self;
            let mut mean = vec![0f32; h];
            for row in rows.chunks_exact(h) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            let n = (rows.len() / h) as f32;
            mean.iter_mut().for_each(|m| *m /= n);
            let norm = mean.iter().map(|m| m * m).sum::<f32>().sqrt().max(1e-12);
            mean.iter_mut().for_each(|m| *m /= norm);
            mean
        }
    }
    Arch::new().dispatch(Op(rows, h))
}

#[inline(always)]
fn layer_norm(row: &mut [f32], norm: &Norm) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    let mut sq = [0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum();
    for c in chunks {
        for (a, v) in sq.iter_mut().zip(c) {
            *a += (v - mean) * (v - mean);
        }
    }
    let var = (sq.iter().sum::<f32>() + tail) / n;
    let inv = 1.0 / (var + norm.eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(norm.gamma).zip(norm.beta) {
        *v = (*v - mean) * inv * g + b;
    }
}

#[inline(always)]
fn softmax_row(row: &mut [f32]) {
    let m = max(row);
    for v in row.iter_mut() {
        *v = exp(*v - m);
    }
    let inv = 1.0 / sum(row);
    for v in row.iter_mut() {
        *v *= inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_erf_agree_with_the_standard_library() {
        let mut worst = (0f32, 0f32);
        for i in -8000..=2000 {
            let x = i as f32 / 100.0;
            let e = ((exp(x) - x.exp()) / x.exp()).abs();
            worst.0 = worst.0.max(e);
        }
        for i in -600..=600 {
            let x = i as f32 / 100.0;
            let want = libm_erf(x as f64) as f32;
            worst.1 = worst.1.max((erf(x) - want).abs());
        }
        assert!(worst.0 < 3e-7, "exp relative error {}", worst.0);
        assert!(worst.1 < 3e-7, "erf absolute error {}", worst.1);
    }

    /// erf in f64 from its Taylor series (|x| < 3) and continued fraction (beyond): a slow but
    /// independent reference.
    fn libm_erf(x: f64) -> f64 {
        if x.abs() < 3.0 {
            let (mut term, mut total, mut n) = (x, x, 0.0);
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                total += term / (2.0 * n + 1.0);
            }
            total * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            let mut f = 0.0;
            for k in (1..60).rev() {
                f = k as f64 / 2.0 / (x.abs() + f);
            }
            let erfc = (-x * x).exp() / std::f64::consts::PI.sqrt() / (x.abs() + f);
            (1.0 - erfc).copysign(x)
        }
    }

    /// Deterministic values in about [-scale, scale], rows of odd widths included.
    fn values(n: usize, seed: f32, scale: f32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32 * 0.618 + seed).sin() * 43.7).fract() * scale)
            .collect()
    }

    fn assert_close(got: &[f32], want: &[f64], tol: f64) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((*g as f64 - w).abs() <= tol, "[{i}]: {g} vs {w}");
        }
    }

    /// LayerNorm of one row in f64, as its definition says.
    fn plain_layer_norm(row: &[f64], gamma: &[f32], beta: &[f32], eps: f64) -> Vec<f64> {
        let n = row.len() as f64;
        let mean = row.iter().sum::<f64>() / n;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        row.iter()
            .zip(gamma.iter().zip(beta))
            .map(|(v, (&g, &b))| (v - mean) / (var + eps).sqrt() * g as f64 + b as f64)
            .collect()
    }

    #[test]
    fn softmax_matches_its_definition_on_rows_of_any_width() {
        for width in [1, 7, 16, 37, 256] {
            let mut rows = values(3 * width, 0.3, 20.0);
            let want: Vec<f64> = rows
                .chunks(width)
                .flat_map(|row| {
                    let m = row.iter().fold(f32::MIN, |a, &b| a.max(b)) as f64;
                    let e: Vec<f64> = row.iter().map(|&v| (v as f64 - m).exp()).collect();
                    let s: f64 = e.iter().sum();
                    e.into_iter().map(move |v| v / s)
                })
                .collect();
            softmax(&mut rows, width);
            assert_close(&rows, &want, 1e-6);
        }
    }

    #[test]
    fn bias_gelu_and_add_bias_match_their_definitions() {
        let bias = values(37, 1.0, 1.0);
        let input = values(37 * 4, 2.0, 6.0);
        let (mut gelu, mut plus) = (input.clone(), input.clone());
        bias_gelu(&mut gelu, &bias);
        add_bias(&mut plus, &bias);
        let x: Vec<f64> = input
            .iter()
            .zip(bias.iter().cycle())
            .map(|(&v, &b)| v as f64 + b as f64)
            .collect();
        let want: Vec<f64> = x
            .iter()
            .map(|x| 0.5 * x * (1.0 + libm_erf(x / std::f64::consts::SQRT_2)))
            .collect();
        assert_close(&gelu, &want, 2e-6);
        assert_close(&plus, &x, 1e-6);
    }

    #[test]
    fn residual_norm_and_embed_match_a_plain_layer_norm() {
        let h = 384;
        let (gamma, beta) = (values(h, 3.0, 2.0), values(h, 4.0, 0.5));
        let norm = Norm {
            gamma: &gamma,
            beta: &beta,
            eps: 1e-12,
        };
        let (mut x, sub, bias) = (
            values(3 * h, 5.0, 4.0),
            values(3 * h, 6.0, 1.0),
            values(h, 7.0, 0.3),
        );
        let want: Vec<f64> = x
            .chunks(h)
            .zip(sub.chunks(h))
            .flat_map(|(r, s)| {
                let row: Vec<f64> = (0..h)
                    .map(|i| r[i] as f64 + s[i] as f64 + bias[i] as f64)
                    .collect();
                plain_layer_norm(&row, &gamma, &beta, 1e-12)
            })
            .collect();
        residual_norm(&mut x, &sub, &bias, &norm);
        assert_close(&x, &want, 1e-5);

        let (word, pos) = (values(10 * h, 8.0, 1.0), values(4 * h, 9.0, 0.1));
        let tokens = [(3u32, 0usize), (9, 1), (3, 3)];
        let mut out = vec![0f32; tokens.len() * h];
        embed(&mut out, &tokens, &word, &pos, &norm);
        let want: Vec<f64> = tokens
            .iter()
            .flat_map(|&(id, p)| {
                let row: Vec<f64> = (0..h)
                    .map(|i| word[id as usize * h + i] as f64 + pos[p * h + i] as f64)
                    .collect();
                plain_layer_norm(&row, &gamma, &beta, 1e-12)
            })
            .collect();
        assert_close(&out, &want, 1e-5);
    }

    #[test]
    fn mean_unit_is_the_unit_length_mean_of_the_rows() {
        let h = 5;
        let rows = values(3 * h, 10.0, 3.0);
        let mean: Vec<f64> = (0..h)
            .map(|i| (0..3).map(|r| rows[r * h + i] as f64).sum::<f64>() / 3.0)
            .collect();
        let len = mean.iter().map(|m| m * m).sum::<f64>().sqrt();
        let want: Vec<f64> = mean.iter().map(|m| m / len).collect();
        assert_close(&mean_unit(&rows, h), &want, 1e-6);
        // An all-zero row stays zero instead of dividing by zero.
        assert_eq!(mean_unit(&[0.0; 4], 4), vec![0.0; 4]);
    }
}
