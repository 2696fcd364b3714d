/* A small stack-machine bytecode interpreter (switch dispatch through a
 * jump table) running three programs: iterative Fibonacci modulo a prime,
 * a sieve of Eratosthenes in its memory, and a recursive function. */
#include "prog.h"

enum op {
    OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_DIVU,
    OP_LT, OP_EQ, OP_NOT, OP_JMP, OP_JZ, OP_LOAD, OP_STORE, OP_CALL, OP_RET,
    OP_LOCAL, OP_EMIT, OP_HALT, OP_SHL, OP_XOR,
};

struct vm {
    int64_t stack[256];
    unsigned sp;
    uint32_t rstack[64];
    unsigned rsp;
    int64_t mem[4096];
    uint64_t steps, emitted;
};

/* Returns the step count, or ~0 on a fault (stack over/underflow). */
static uint64_t run(struct vm *m, const int32_t *code, size_t len)
{
    uint32_t pc = 0;
    m->sp = m->rsp = 0;
    m->steps = m->emitted = 0;
#define NEED(k) do { if (m->sp < (k)) return ~0ull; } while (0)
#define ROOM() do { if (m->sp >= 256) return ~0ull; } while (0)
    while (pc < len) {
        m->steps++;
        int32_t op = code[pc++];
        int64_t a, b;
        switch (op) {
        case OP_PUSH: ROOM(); m->stack[m->sp++] = code[pc++]; break;
        case OP_POP: NEED(1); m->sp--; break;
        case OP_DUP: NEED(1); ROOM(); m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; break;
        case OP_SWAP: NEED(2); a = m->stack[m->sp - 1]; m->stack[m->sp - 1] = m->stack[m->sp - 2]; m->stack[m->sp - 2] = a; break;
        case OP_OVER: NEED(2); ROOM(); m->stack[m->sp] = m->stack[m->sp - 2]; m->sp++; break;
        case OP_ADD: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] += b; break;
        case OP_SUB: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] -= b; break;
        case OP_MUL: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] = (int64_t)((uint64_t)m->stack[m->sp - 1] * (uint64_t)b); break;
        case OP_MOD: NEED(2); b = m->stack[--m->sp]; if (b == 0) return ~0ull; m->stack[m->sp - 1] %= b; break;
        case OP_DIVU: NEED(2); b = m->stack[--m->sp]; if (b == 0) return ~0ull; m->stack[m->sp - 1] = (int64_t)((uint64_t)m->stack[m->sp - 1] / (uint64_t)b); break;
        case OP_LT: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] < b; break;
        case OP_EQ: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] == b; break;
        case OP_NOT: NEED(1); m->stack[m->sp - 1] = !m->stack[m->sp - 1]; break;
        case OP_SHL: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] = (int64_t)((uint64_t)m->stack[m->sp - 1] << (b & 63)); break;
        case OP_XOR: NEED(2); b = m->stack[--m->sp]; m->stack[m->sp - 1] ^= b; break;
        case OP_JMP: pc = (uint32_t)code[pc]; break;
        case OP_JZ: NEED(1); pc = m->stack[--m->sp] ? pc + 1 : (uint32_t)code[pc]; break;
        case OP_LOAD: NEED(1); a = m->stack[m->sp - 1]; if ((uint64_t)a >= 4096) return ~0ull; m->stack[m->sp - 1] = m->mem[a]; break;
        case OP_STORE: NEED(2); a = m->stack[--m->sp]; if ((uint64_t)a >= 4096) return ~0ull; m->mem[a] = m->stack[--m->sp]; break;
        case OP_CALL: if (m->rsp >= 64) return ~0ull; m->rstack[m->rsp++] = pc + 1; pc = (uint32_t)code[pc]; break;
        case OP_RET: if (m->rsp == 0) return ~0ull; pc = m->rstack[--m->rsp]; break;
        case OP_LOCAL: /* copy the k-th element below the top */
            a = code[pc++]; if ((uint64_t)a >= m->sp) return ~0ull; ROOM();
            m->stack[m->sp] = m->stack[m->sp - 1 - a]; m->sp++; break;
        case OP_EMIT: NEED(1); m->emitted = m->emitted * 1000003u + (uint64_t)m->stack[--m->sp]; break;
        case OP_HALT: return m->steps;
        default: return ~0ull;
        }
    }
    return m->steps;
}

/* fib(i) mod 1000000007 for i < 3000, each emitted.  Stack: a b i; the
 * new pair goes through mem[0] and mem[1]. */
static const int32_t prog_fib[] = {
    OP_PUSH, 0, OP_PUSH, 1, OP_PUSH, 0,
    /* 6: loop */ OP_DUP, OP_PUSH, 3000, OP_LT, OP_JZ, 42,
    OP_LOCAL, 2, OP_EMIT,
    OP_PUSH, 1, OP_ADD, OP_LOCAL, 1, OP_LOCAL, 3, OP_ADD, OP_PUSH, 1000000007, OP_MOD,
    OP_PUSH, 0, OP_STORE, OP_PUSH, 1, OP_STORE, OP_SWAP, OP_POP,
    OP_PUSH, 0, OP_LOAD, OP_PUSH, 1, OP_LOAD, OP_JMP, 6,
    /* 42 */ OP_HALT,
};

/* Sieve of the numbers below 4000 in mem[], emitting each prime. */
static const int32_t prog_sieve[] = {
    OP_PUSH, 2,
    /* 2: outer */ OP_DUP, OP_PUSH, 4000, OP_LT, OP_JZ, 42,
    OP_DUP, OP_LOAD, OP_JZ, 17, OP_PUSH, 1, OP_ADD, OP_JMP, 2,
    /* 17: prime */ OP_DUP, OP_EMIT, OP_DUP, OP_DUP, OP_ADD,
    /* 22: inner */ OP_DUP, OP_PUSH, 4000, OP_LT, OP_JZ, 36,
    OP_PUSH, 1, OP_OVER, OP_STORE, OP_OVER, OP_ADD, OP_JMP, 22,
    /* 36 */ OP_POP, OP_PUSH, 1, OP_ADD, OP_JMP, 2,
    /* 42 */ OP_HALT,
};

/* f(n) = n < 2 ? n : f(n-1) + f(n-2), called for n = 20. */
static const int32_t prog_rec[] = {
    OP_PUSH, 20, OP_CALL, 6, OP_EMIT, OP_HALT,
    /* 6: f */ OP_DUP, OP_PUSH, 2, OP_LT, OP_JZ, 13, OP_RET,
    /* 13 */ OP_DUP, OP_PUSH, 1, OP_SUB, OP_CALL, 6,
    OP_SWAP, OP_PUSH, 2, OP_SUB, OP_CALL, 6, OP_ADD, OP_RET,
};

static struct vm vm;

static void report(struct pout *o, const char *name, const int32_t *code, size_t len)
{
    for (size_t i = 0; i < 4096; i++)
        vm.mem[i] = 0;
    uint64_t steps = run(&vm, code, len);
    out_str(o, name);
    out_hex(o, ".steps", steps);
    out_str(o, name);
    out_hex(o, ".emitted", vm.emitted);
    out_str(o, name);
    out_hex(o, ".mem", fold_bytes(vm.mem, sizeof vm.mem));
    out_str(o, name);
    out_hex(o, ".sp", vm.sp);
}

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    report(&o, "fib", prog_fib, sizeof prog_fib / sizeof prog_fib[0]);
    report(&o, "sieve", prog_sieve, sizeof prog_sieve / sizeof prog_sieve[0]);
    report(&o, "rec", prog_rec, sizeof prog_rec / sizeof prog_rec[0]);
    return o.len;
}
