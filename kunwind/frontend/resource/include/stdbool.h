/* <stdbool.h> of kunwind's own minimal header set (kunwind/frontend/builtin_headers.py). */
#ifndef __KUNWIND_STDBOOL_H
#define __KUNWIND_STDBOOL_H
#define __bool_true_false_are_defined 1
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 202311L
#define bool _Bool
#define true 1
#define false 0
#endif
#endif
