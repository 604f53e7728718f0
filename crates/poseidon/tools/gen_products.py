#!/usr/bin/env python3
"""Generates crates/poseidon/src/products.rs: x86_64 kernels for Σ x[k]·y[k] over N products of
4-limb integers (product scanning, fully unrolled per N). Run from the crate: python3 tools/gen_products.py

Product scanning ("Comba"): column c of the 9-limb result gets every limb product x_k[i]·y_k[j]
with i + j = c, of all N products, added as a 128-bit value to a 3-register accumulator
(mov, mul, add, adc, adc); at the end of a column the low register is stored and the roles rotate
(no moves). Plain `mul`, so no CPU feature check is needed. Regenerating gives the same file.
"""
import os

SIZES = [1, 2, 3, 8, 9]


def kernel(n: int) -> str:
    acc = ["r8", "r9", "r10"]
    lines = ["xor r8d, r8d", "xor r9d, r9d", "xor r10d, r10d"]
    for c in range(7):
        c0, c1, c2 = acc
        for k in range(n):
            for i in range(max(0, c - 3), min(3, c) + 1):
                j = c - i
                lines.append(f"mov rax, qword ptr [{{x}} + {32 * k + 8 * i}]")
                lines.append(f"mul qword ptr [{{y}} + {32 * k + 8 * j}]")
                lines.append(f"add {c0}, rax")
                lines.append(f"adc {c1}, rdx")
                lines.append(f"adc {c2}, 0")
        if c < 6:
            lines.append(f"mov {{o{c}}}, {c0}")
        if c < 6:
            lines.append(f"xor {c0}d, {c0}d")
        acc = [c1, c2, c0]
    top = acc
    body = "\n".join(f'            "{l}",' for l in lines)
    return f'''
/// Σ x[k]·y[k] over {n} product(s), as 9 little-endian limbs.
#[inline(never)]
pub fn sum_{n}(x: &[[u64; 4]; {n}], y: &[[u64; 4]; {n}]) -> [u64; 9] {{
    let (o0, o1, o2, o3, o4, o5, o6, o7, o8): (u64, u64, u64, u64, u64, u64, u64, u64, u64);
    // SAFETY: reads the {n}×4 limbs of x and y, all in bounds; the result stays in registers (a
    // store from here read back as a wider load would stall store forwarding); clobbers only the
    // declared registers and the flags.
    unsafe {{
        core::arch::asm!(
{body}
            x = in(reg) x.as_ptr(),
            y = in(reg) y.as_ptr(),
            o0 = out(reg) o0,
            o1 = out(reg) o1,
            o2 = out(reg) o2,
            o3 = out(reg) o3,
            o4 = out(reg) o4,
            o5 = out(reg) o5,
            out("rax") _,
            out("rdx") _,
            out("{top[2]}") o6,
            out("{top[0]}") o7,
            out("{top[1]}") o8,
            options(nostack, readonly),
        );
    }}
    [o0, o1, o2, o3, o4, o5, o6, o7, o8]
}}
'''


def asm_block(lines) -> str:
    return "\n".join(f'            "{l}",' for l in lines)


def mont_mul() -> str:
    """CIOS Montgomery multiplication with mulx and two carry chains (adox / adcx); r's top limb is
    below 2^62, so the running value fits in five limbs without a final carry word. The result is
    < 2r; the caller subtracts r once when needed."""
    t = ["r8", "r9", "r10", "r11", "r12"]  # t0..t3 and the fifth limb A
    lines = []
    for i in range(4):
        t0, t1, t2, t3, a = t
        lines.append(f"mov rdx, qword ptr [{{a}} + {8 * i}]")
        if i == 0:
            # Row 0: t0..t3, A = a0·b (one add/adc chain over the high halves).
            lines += [
                f"mulx {t1}, {t0}, qword ptr [{{b}} + 0]",
                f"mulx {t2}, {{lo}}, qword ptr [{{b}} + 8]",
                f"add {t1}, {{lo}}",
                f"mulx {t3}, {{lo}}, qword ptr [{{b}} + 16]",
                f"adc {t2}, {{lo}}",
                f"mulx {a}, {{lo}}, qword ptr [{{b}} + 24]",
                f"adc {t3}, {{lo}}",
                f"adc {a}, 0",
            ]
        else:
            lines += [
                "xor {lo:e}, {lo:e}",
                "mulx {hi}, {lo}, qword ptr [{b} + 0]",
                f"adox {t0}, {{lo}}",
                f"adcx {t1}, {{hi}}",
                "mulx {hi}, {lo}, qword ptr [{b} + 8]",
                f"adox {t1}, {{lo}}",
                f"adcx {t2}, {{hi}}",
                "mulx {hi}, {lo}, qword ptr [{b} + 16]",
                f"adox {t2}, {{lo}}",
                f"adcx {t3}, {{hi}}",
                f"mulx {a}, {{lo}}, qword ptr [{{b}} + 24]",
                f"adox {t3}, {{lo}}",
                f"adcx {a}, {{z}}",
                f"adox {a}, {{z}}",
            ]
        # Reduction: m = t0·(-r^-1); t = (t + m·r) / 2^64.
        lines += [
            f"mov rdx, {t0}",
            "imul rdx, {ninv}",
            "xor {lo:e}, {lo:e}",
            "mulx {hi}, {lo}, qword ptr [{p} + 0]",
            f"adcx {t0}, {{lo}}",
            f"adox {t1}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 8]",
            f"adcx {t1}, {{lo}}",
            f"adox {t2}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 16]",
            f"adcx {t2}, {{lo}}",
            f"adox {t3}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 24]",
            f"adcx {t3}, {{lo}}",
            f"adox {a}, {{hi}}",
            f"adcx {a}, {{z}}",
        ]
        t = [t1, t2, t3, a, t0]
    out = t[:4]
    return f'''
/// Montgomery product a·b·2^-256 mod r, < 2r (not reduced), for a, b < r. Needs BMI2 and ADX.
#[inline(always)]
pub fn mont_mul_adx(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {{
    let (o0, o1, o2, o3): (u64, u64, u64, u64);
    // SAFETY: reads four limbs of a, b and MODULUS; the caller checked BMI2 and ADX; clobbers only
    // the declared registers and the flags.
    unsafe {{
        core::arch::asm!(
            "xor {{z:e}}, {{z:e}}",
{asm_block(lines)}
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            p = in(reg) MODULUS.as_ptr(),
            ninv = in(reg) NEG_INV,
            z = out(reg) _,
            hi = out(reg) _,
            lo = out(reg) _,
            out("rdx") _,
            out("{out[0]}") o0,
            out("{out[1]}") o1,
            out("{out[2]}") o2,
            out("{out[3]}") o3,
            out("{t[4]}") _,
            options(nostack, readonly),
        );
    }}
    [o0, o1, o2, o3]
}}
'''


def redc() -> str:
    """Montgomery reduction of an 8-limb T (T < 2^511, see field::redc_small): four rows of
    t += m·r·2^(64i), each row's two carry chains ending in a `top` word that the next row's CF
    chain adds in, so no carry runs through the limbs above the row."""
    t = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    lines = ["xor {top:e}, {top:e}"]
    for i in range(4):
        lines += [
            f"mov rdx, {t[i]}",
            "imul rdx, {ninv}",
            "xor {lo:e}, {lo:e}",
            "mulx {hi}, {lo}, qword ptr [{p} + 0]",
            f"adcx {t[i]}, {{lo}}",
            f"adox {t[i + 1]}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 8]",
            f"adcx {t[i + 1]}, {{lo}}",
            f"adox {t[i + 2]}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 16]",
            f"adcx {t[i + 2]}, {{lo}}",
            f"adox {t[i + 3]}, {{hi}}",
            "mulx {hi}, {lo}, qword ptr [{p} + 24]",
            f"adcx {t[i + 3]}, {{lo}}",
            f"adox {t[i + 4]}, {{hi}}",
            f"adcx {t[i + 4]}, {{top}}",
            # Both flags are now pending into limb i + 5: collect them for the next row.
            "mov {top:e}, 0",
            "adcx {top}, {z}",
            "adox {top}, {z}",
        ]
        if i == 0:
            lines = lines[:1] + ["xor {z:e}, {z:e}"] + lines[1:]
    outs = "\n".join(f'            inout("{r}") t[{k}] => t[{k}],' for k, r in enumerate(t))
    return f'''
/// Montgomery reduction of T (8 limbs, < 2^511) to (T + m·r)/2^256 (four limbs; the caller's bound
/// keeps it below 2^256, and the carry word left over is returned for a debug check). Needs BMI2
/// and ADX.
#[inline(always)]
pub fn redc_adx(mut t: [u64; 8]) -> ([u64; 4], u64) {{
    let top: u64;
    // SAFETY: reads four limbs of MODULUS; the caller checked BMI2 and ADX; clobbers only the
    // declared registers and the flags.
    unsafe {{
        core::arch::asm!(
{asm_block(lines)}
            p = in(reg) MODULUS.as_ptr(),
            ninv = in(reg) NEG_INV,
            top = out(reg) top,
            z = out(reg) _,
            hi = out(reg) _,
            lo = out(reg) _,
            out("rdx") _,
{outs}
            options(nostack, readonly),
        );
    }}
    ([t[4], t[5], t[6], t[7]], top)
}}
'''


def main() -> None:
    head = '''// @generated by tools/gen_products.py — do not edit.
//! x86_64 product-scanning kernels for `field::sum_products` (see tools/gen_products.py): one fully
//! unrolled function per product count used by the permutation.
'''
    text = head + "use crate::constants::{MODULUS, NEG_INV};\n" + "".join(kernel(n) for n in SIZES) + mont_mul() + redc()
    path = os.path.join(os.path.dirname(__file__), "..", "src", "products.rs")
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
