/* <stddef.h> of kunwind's own minimal header set (kunwind/frontend/builtin_headers.py),
 * for a libclang with no compiler headers: built on the compiler's predefined macros.
 * The C library's headers ask for parts of it (__need_size_t...): every part is given. */
#ifndef __KUNWIND_STDDEF_H
#define __KUNWIND_STDDEF_H
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
#ifndef __cplusplus
typedef __WCHAR_TYPE__ wchar_t;
#endif
typedef struct {
	long long __max_align_ll __attribute__((__aligned__(__alignof__(long long))));
	long double __max_align_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;
#undef NULL
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
#if defined(__need_wint_t) && !defined(__KUNWIND_WINT_T)
#define __KUNWIND_WINT_T
typedef __WINT_TYPE__ wint_t;
#endif
#undef __need_size_t
#undef __need_ptrdiff_t
#undef __need_wchar_t
#undef __need_NULL
#undef __need_wint_t
#undef __need_max_align_t
#undef __need_offsetof
