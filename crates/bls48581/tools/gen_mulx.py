#!/usr/bin/env python3
"""Prints the x86-64 (BMI2 + ADX) assembly of the 10x10-limb product in `kernels::mul_wide_adx`:
operand scanning, mulx with two carry chains (adox adds the previous high word, adcx the running
column). Run: python3 tools/gen_mulx.py, and paste the output into src/kernels.rs."""
N = 10
lines = []
for i in range(N):
    lines.append("xor eax, eax")
    lines.append("mov rdx, qword ptr [{a} + %d]" % (8 * i))
    for j in range(N):
        hi = "r8" if j % 2 == 0 else "r9"
        prev = "r9" if j % 2 == 0 else "r8"
        lines.append("mulx %s, r10, qword ptr [{b} + %d]" % (hi, 8 * j))
        if j > 0:
            lines.append("adox r10, %s" % prev)
        lines.append("adcx r10, qword ptr [{o} + %d]" % (8 * (i + j)))
        lines.append("mov qword ptr [{o} + %d], r10" % (8 * (i + j)))
    last = "r8" if (N - 1) % 2 == 0 else "r9"
    lines.append("adox %s, rax" % last)
    lines.append("adcx %s, rax" % last)
    lines.append("mov qword ptr [{o} + %d], %s" % (8 * (i + N), last))
for l in lines:
    print('            "%s",' % l)
