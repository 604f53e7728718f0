#!/usr/bin/env python3
"""Prints the x86-64 (BMI2 + ADX) assembly of the Montgomery reduction in `kernels::redc_adx`: row i
takes k = s[i] n0 and adds k m 2^(64 i) with mulx and two carry chains; the small carry out of
column i+9 goes into column i+10, whose own overflow is carried in r11 to the next row's top column.
Run: python3 tools/gen_redc.py, and paste the output into src/kernels.rs."""
N = 10
lines = ["xor r11d, r11d"]
for i in range(N):
    # imul sets CF and OF: clear the flags after it.
    lines.append("mov rdx, qword ptr [{s} + %d]" % (8 * i))
    lines.append("imul rdx, {n0}")
    lines.append("xor eax, eax")
    for j in range(N):
        hi = "r8" if j % 2 == 0 else "r9"
        prev = "r9" if j % 2 == 0 else "r8"
        lines.append("mulx %s, r10, qword ptr [{m} + %d]" % (hi, 8 * j))
        if j > 0:
            lines.append("adox r10, %s" % prev)
        lines.append("adcx r10, qword ptr [{s} + %d]" % (8 * (i + j)))
        lines.append("mov qword ptr [{s} + %d], r10" % (8 * (i + j)))
    last = "r8" if (N - 1) % 2 == 0 else "r9"
    lines.append("adox %s, rax" % last)
    lines.append("adcx %s, rax" % last)
    lines.append("add %s, r11" % last)
    lines.append("xor r11d, r11d")
    lines.append("add qword ptr [{s} + %d], %s" % (8 * (i + N), last))
    lines.append("adc r11, 0")
for l in lines:
    print('            "%s",' % l)
