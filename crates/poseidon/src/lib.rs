//! iden3 Poseidon `HashBytes` over BN254 (go-iden3-crypto v0.0.17, crypto.md §4), native twin of
//! crates/ts/poseidon.ts: the input in 31-byte big-endian chunks (the last right-padded with zeros),
//! 16 chunks per t = 17 permutation (circomlib's poseidon16), each full frame's hash chained into
//! slot 0 of the next. Inputs are public (addresses, frames), so the arithmetic is not constant-time.
// Generated, one field element per line (rustfmt would put every limb on its own line).
#[rustfmt::skip]
pub mod constants;
pub mod field;
#[cfg(target_arch = "x86_64")]
#[rustfmt::skip]
mod products;
pub mod winograd;

use constants::*;
use field::{sum_products, wide_add, wide_sub, Fr, Wide};
use std::sync::OnceLock;
use winograd::{dot17, pair_factors, pair_sum};

const CHUNK: usize = 31;
const FRAME: usize = T - 1;

/// Winograd row terms (see winograd.rs) of every constant matrix the permutation multiplies by,
/// computed once per process from the generated constants.
struct RowTerms {
    /// pair_sum of each MDS row.
    mds: [Wide; T],
    /// pair_sum of each PRE_SPARSE row.
    pre_sparse: [Wide; T],
    /// pair_sum of SPARSE_ROW[r][1..] (the part multiplied by elements 1..).
    sparse_row: [Wide; PARTIAL_ROUNDS],
    /// Per block and element i ≥ 1: pair_sum of the block's four SPARSE_COL entries for i.
    sparse_col: [[Wide; T - 1]; PARTIAL_ROUNDS / PARTIAL_BLOCK],
    /// The first round's S-box output of a zero slot, pow5(FULL_C[0][j]).
    zero_slot_sbox: [Fr; T],
}

fn row_terms() -> &'static RowTerms {
    static TERMS: OnceLock<Box<RowTerms>> = OnceLock::new();
    TERMS.get_or_init(|| {
        Box::new(RowTerms {
            mds: std::array::from_fn(|i| pair_sum::<8>(&MDS[i])),
            pre_sparse: std::array::from_fn(|i| pair_sum::<8>(&PRE_SPARSE[i])),
            sparse_row: std::array::from_fn(|r| pair_sum::<8>(&SPARSE_ROW[r][1..])),
            sparse_col: std::array::from_fn(|b| {
                std::array::from_fn(|i| pair_sum::<2>(&block_column(b * PARTIAL_BLOCK, i)))
            }),
            zero_slot_sbox: std::array::from_fn(|j| FULL_C[0][j].pow5()),
        })
    })
}

/// SPARSE_COL entries of element i + 1 for the block's rounds first..first + PARTIAL_BLOCK.
#[inline(always)]
fn block_column(first: usize, i: usize) -> [Fr; PARTIAL_BLOCK] {
    std::array::from_fn(|k| SPARSE_COL[first + k][i])
}

/// S-boxes, then the dense matrix product as Winograd inner products sharing the vector's pair sum.
fn full_round(s: &mut [Fr; T], c: &[Fr; T], m: &[[Fr; T]; T], m_pairs: &[Wide; T]) {
    let x: [Fr; T] = std::array::from_fn(|i| (s[i] + c[i]).pow5());
    let x_pairs = pair_sum::<8>(&x);
    for ((si, row), row_pairs) in s.iter_mut().zip(m).zip(m_pairs) {
        *si = dot17(row, &x, row_pairs, &x_pairs);
    }
}

/// Live slots from which the first round's dense Winograd rows (9 products each, plus 8 for the
/// vector) cost less than products over the live slots only (n each).
const FIRST_ROUND_DENSE: usize = 10;

/// The first full round. A zero slot (the capacity, and the unused tail of a short input's frame)
/// has the constant S-box output pow5(C[j]): with few live slots its contribution to the MDS product
/// (FIRST_ROUND_ZERO_SLOT[j]) is precomputed, so it costs T additions instead of T products; with
/// many, the round runs dense (the constant as that slot's S-box output) as Winograd rows.
fn first_full_round(s: &mut [Fr; T], terms: &RowTerms) {
    let n = s.iter().filter(|x| **x != Fr::ZERO).count();
    if n >= FIRST_ROUND_DENSE {
        let x: [Fr; T] = std::array::from_fn(|j| {
            if s[j] == Fr::ZERO {
                terms.zero_slot_sbox[j]
            } else {
                (s[j] + FULL_C[0][j]).pow5()
            }
        });
        let x_pairs = pair_sum::<8>(&x);
        for (i, si) in s.iter_mut().enumerate() {
            *si = dot17(&MDS[i], &x, &terms.mds[i], &x_pairs);
        }
        return;
    }
    let mut live = [0usize; T];
    let mut x = [Fr::ZERO; T];
    let mut n = 0;
    let mut fixed = [Fr::ZERO; T];
    for j in 0..T {
        if s[j] == Fr::ZERO {
            for (f, k) in fixed.iter_mut().zip(&FIRST_ROUND_ZERO_SLOT[j]) {
                *f = *f + *k;
            }
        } else {
            live[n] = j;
            x[n] = (s[j] + FULL_C[0][j]).pow5();
            n += 1;
        }
    }
    for (i, si) in s.iter_mut().enumerate() {
        // The live products in kernel-sized groups of up to three (n ≤ 17, so from_wide's bound holds).
        let mut sum: Wide = [0; 9];
        let mut k = 0;
        while k < n {
            let (a, b) = (&MDS[i], &x);
            let part = match n - k {
                1 => sum_products::<1>(&[a[live[k]].0], &[b[k].0]),
                2 => sum_products::<2>(&[a[live[k]].0, a[live[k + 1]].0], &[b[k].0, b[k + 1].0]),
                _ => sum_products::<3>(
                    &[a[live[k]].0, a[live[k + 1]].0, a[live[k + 2]].0],
                    &[b[k].0, b[k + 1].0, b[k + 2].0],
                ),
            };
            sum = wide_add(sum, &part);
            k += 3;
        }
        *si = Fr::from_wide(sum) + fixed[i];
    }
}

/// The 68 partial rounds, PARTIAL_BLOCK at a time (see BLOCK_CROSS): each round's S-box input is one
/// lazily reduced sum over the block-start state (a Winograd inner product) and the block's S-box
/// outputs so far, and elements 1.. are updated once per block (Winograd over the block's four S-box
/// outputs) instead of a Montgomery multiplication per element per round.
fn partial_rounds(s: &mut [Fr; T], terms: &RowTerms) {
    for block in 0..PARTIAL_ROUNDS / PARTIAL_BLOCK {
        let first = block * PARTIAL_BLOCK;
        // Elements 1.. stay fixed within the block, so their pair sum serves all its rounds.
        let s_pairs = pair_sum::<8>(&s[1..]);
        let mut v = [Fr::ZERO; PARTIAL_BLOCK];
        // Round r's Winograd sum over elements 1.. (8 pairs), its corrections subtracted.
        let fixed_sum = |r: usize| -> Wide {
            let mut f = [[0u64; 4]; 8];
            let mut g = [[0u64; 4]; 8];
            pair_factors::<8, 8>(&SPARSE_ROW[r][1..], &s[1..], &mut f, &mut g);
            wide_sub(sum_products(&f, &g), &wide_add(terms.sparse_row[r], &s_pairs))
        };
        let mut next_fixed = fixed_sum(first);
        let mut u = s[0];
        for m in 0..PARTIAL_BLOCK {
            let r = first + m;
            v[m] = u.pow5() + PARTIAL_POST[r];
            // The next round's fixed sum does not need v: placed after the S-box, it executes while
            // the S-box's chain of dependent multiplications waits.
            let fixed = next_fixed;
            if m + 1 < PARTIAL_BLOCK {
                next_fixed = fixed_sum(r + 1);
            }
            // + SPARSE_ROW[r][0]·v_m + the block's earlier S-box outputs times BLOCK_CROSS.
            let c = &BLOCK_CROSS[r];
            let fresh = match m {
                0 => sum_products::<1>(&[SPARSE_ROW[r][0].0], &[v[0].0]),
                1 => sum_products::<2>(&[SPARSE_ROW[r][0].0, c[0].0], &[v[1].0, v[0].0]),
                2 => sum_products::<3>(
                    &[SPARSE_ROW[r][0].0, c[0].0, c[1].0],
                    &[v[2].0, v[0].0, v[1].0],
                ),
                _ => wide_add(
                    sum_products::<2>(&[SPARSE_ROW[r][0].0, c[0].0], &[v[3].0, v[0].0]),
                    &sum_products::<2>(&[c[1].0, c[2].0], &[v[1].0, v[2].0]),
                ),
            };
            u = Fr::from_wide(wide_add(fixed, &fresh));
        }
        let v_pairs = pair_sum::<2>(&v);
        for i in 1..T {
            let mut f = [[0u64; 4]; 2];
            let mut g = [[0u64; 4]; 2];
            pair_factors::<2, 2>(&block_column(first, i - 1), &v, &mut f, &mut g);
            // s_i·2^256 added before the reduction comes out as + s_i.
            let si = s[i].0;
            let shifted = [0, 0, 0, 0, si[0], si[1], si[2], si[3], 0];
            let correction = wide_add(terms.sparse_col[block][i - 1], &v_pairs);
            let sum = wide_add(sum_products(&f, &g), &shifted);
            s[i] = Fr::from_wide(wide_sub(sum, &correction));
        }
        s[0] = u;
    }
}

/// The permutation's first output for state [0, inputs...] (poseidon-lite `poseidon16(inputs)`),
/// in the equivalent sparse-matrix form the constants were generated for.
pub fn poseidon16(inputs: &[Fr; FRAME]) -> Fr {
    let mut s = [Fr::ZERO; T];
    s[1..].copy_from_slice(inputs);
    let half = FULL_ROUNDS / 2;
    let terms = row_terms();
    first_full_round(&mut s, terms);
    for (r, c) in FULL_C.iter().enumerate().take(half).skip(1) {
        if r == half - 1 {
            full_round(&mut s, c, &PRE_SPARSE, &terms.pre_sparse);
        } else {
            full_round(&mut s, c, &MDS, &terms.mds);
        }
    }
    for (si, ci) in s.iter_mut().zip(&FIRST_PARTIAL_C) {
        *si = *si + *ci;
    }
    partial_rounds(&mut s, terms);
    for c in &FULL_C[half..FULL_ROUNDS - 1] {
        full_round(&mut s, c, &MDS, &terms.mds);
    }
    // Only element 0 of the last round's output is the hash.
    let c = &FULL_C[FULL_ROUNDS - 1];
    let x: [Fr; T] = std::array::from_fn(|i| (s[i] + c[i]).pow5());
    dot17(&MDS[0], &x, &terms.mds[0], &pair_sum::<8>(&x))
}

/// A chunk of at most 31 bytes, right-padded with zeros, as a big-endian field element (< 2^248 < r).
fn chunk_value(bytes: &[u8]) -> Fr {
    let mut be = [0u8; 32];
    be[1..1 + bytes.len()].copy_from_slice(bytes);
    Fr::from_be_bytes(&be).expect("a 31-byte value is below r")
}

/// HashBytes as a field element; None for empty input (the reference returns nil: no hash defined).
pub fn hash_bytes_fr(msg: &[u8]) -> Option<Fr> {
    if msg.is_empty() {
        return None;
    }
    let mut inputs = [Fr::ZERO; FRAME];
    let mut hash = None;
    let mut dirty = false;
    let mut k = 0;
    let mut chunks = msg.chunks_exact(CHUNK);
    for chunk in chunks.by_ref() {
        dirty = true;
        inputs[k] = chunk_value(chunk);
        if k == FRAME - 1 {
            let h = poseidon16(&inputs);
            hash = Some(h);
            dirty = false;
            inputs = [Fr::ZERO; FRAME];
            inputs[0] = h;
            k = 1;
        } else {
            k += 1;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        inputs[k] = chunk_value(rest);
        dirty = true;
    }
    if dirty {
        hash = Some(poseidon16(&inputs));
    }
    hash
}

/// HashBytes as 32 big-endian bytes, the form frames and addresses carry.
pub fn hash_bytes(msg: &[u8]) -> Option<[u8; 32]> {
    hash_bytes_fr(msg).map(Fr::to_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The message pattern the vectors below were generated with: byte i = (7·i + len) mod 256.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| ((i * 7 + len) & 0xff) as u8).collect()
    }

    /// Digests from crates/ts/poseidon.ts (poseidon-lite) for `pattern(len)`: one short chunk, chunk
    /// boundaries (31, 62), a full 16-chunk frame (496) and the chained frames after it.
    const TS_VECTORS: [(usize, &str); 12] = [
        (
            1,
            "2b3f9eb2d40dbe8de2d7e8134320a365167fb609207dd01eedcd3fbeec8e2df9",
        ),
        (
            30,
            "28dc4c78ca9e7b551fc9e88e7b1f17058ba7096a75823a4cb13d3ab4708d450d",
        ),
        (
            31,
            "210ca058c632cdb7a5e9f3841d0870a6b415c2b19abdb39e71dba352a7975bc5",
        ),
        (
            32,
            "20ff3f6771b52beab5a923e878dec6cee97dd8cd205fd3c943fe043045f1c78f",
        ),
        (
            62,
            "26fa0d22e7fd54bbadf43c526e2239a0704a253b2ce1537885838ff118f6b810",
        ),
        (
            64,
            "0924b584ff4657ef4bc48c4db0589d99873512c6a34c64af5f59d7c17e6db6be",
        ),
        (
            465,
            "2af5e7b56488e6539c6ef3e45dfa75e72336fb09f0402d59bbf39d8081b71916",
        ),
        (
            496,
            "1b2af75688dbcf2446717b569c0954b7a5a26f9c896ab019511ff4805860e31e",
        ),
        (
            497,
            "1bcdfe776049813da101176402fb79e1e96f2e3161c9367949346938764b6193",
        ),
        (
            527,
            "156737b18c4cdcf6b7dba5c28fe6f80ac2817473442205593e28b9484aeb68cc",
        ),
        (
            585,
            "0989398f6df7ff50778be3887ed4948c47573c79de9cd6629221aa681d95b72e",
        ),
        (
            1000,
            "1440ad0b2d59be869126ce57581ab73d6d92a0144a3dcee53fd0775737d5268e",
        ),
    ];

    #[test]
    fn matches_typescript_digests() {
        for (len, want) in TS_VECTORS {
            assert_eq!(hex(&hash_bytes(&pattern(len)).unwrap()), want, "len {len}");
        }
        assert_eq!(
            hex(&hash_bytes(&[0xff; 100]).unwrap()),
            "123f78abebfa1e25f53dbf0bf3caba429f2b7ee790386db14e608111ee5399c8"
        );
    }

    /// test/vectors/poseidon_iden3.json: hypergraph type markers ff*32 ‖ ascii name.
    #[test]
    fn matches_iden3_vectors() {
        let cases = [
            (
                "prover:Prover",
                "2799018a52e2a068998ed0cdad60e86012f32b8df0d305999f5367e1098bdaec",
            ),
            (
                "allocation:ProverAllocation",
                "17fa31028287551978abcbc31450b1b14be43c09bec90d7d9fb00ecd5956cf38",
            ),
            (
                "reward:ProverReward",
                "04b10a01844411bb0c390f4cd2629b48cc7ef561455c3adac5ebcbad3834bfa4",
            ),
        ];
        for (name, want) in cases {
            let mut msg = vec![0xff; 32];
            msg.extend_from_slice(name.as_bytes());
            assert_eq!(hex(&hash_bytes(&msg).unwrap()), want, "{name}");
        }
    }

    /// Zero chunks between live ones (the first round's zero-slot shortcut), and an all-zero input
    /// spanning two frames; digests from crates/ts/poseidon.ts.
    #[test]
    fn zero_chunks() {
        let mut msg = vec![1u8; 31];
        msg.extend_from_slice(&[0u8; 31]);
        msg.extend_from_slice(&[2u8; 10]);
        assert_eq!(
            hex(&hash_bytes(&msg).unwrap()),
            "0da28152cbe9e79d16bfc84402726a16cda9e1fd2695e5e1366ef2485fdbd655"
        );
        assert_eq!(
            hex(&hash_bytes(&[0u8; 31 * 17]).unwrap()),
            "040626ab3d5492aa672a0907257dfdd6c0e6cf2280e3eff436c22af0e941c8ba"
        );
    }

    /// The portable multiplication and reduction (what a CPU without BMI2 + ADX runs) give the same
    /// digests. Other tests running meanwhile may also take the portable path: same results.
    #[test]
    fn portable_path_gives_the_same_digests() {
        use std::sync::atomic::Ordering;
        field::FORCE_PORTABLE.store(true, Ordering::Relaxed);
        let got: Vec<String> = TS_VECTORS
            .iter()
            .map(|(len, _)| hex(&hash_bytes(&pattern(*len)).unwrap()))
            .collect();
        field::FORCE_PORTABLE.store(false, Ordering::Relaxed);
        for ((len, want), got) in TS_VECTORS.iter().zip(got) {
            assert_eq!(&got, want, "len {len}");
        }
    }

    #[test]
    fn empty_input_has_no_hash() {
        assert_eq!(hash_bytes(&[]), None);
    }
}
