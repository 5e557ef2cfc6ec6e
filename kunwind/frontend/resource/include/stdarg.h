/* <stdarg.h> of kunwind's own minimal header set (kunwind/frontend/builtin_headers.py). */
#ifndef __KUNWIND_STDARG_H
#define __KUNWIND_STDARG_H
typedef __builtin_va_list va_list;
typedef __builtin_va_list __gnuc_va_list; /* what the C library's headers use */
#define __GNUC_VA_LIST 1
#define va_start(ap, param) __builtin_va_start(ap, param)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_copy(dest, src) __builtin_va_copy(dest, src)
#define __va_copy(dest, src) __builtin_va_copy(dest, src)
#endif
#undef __need___va_list
