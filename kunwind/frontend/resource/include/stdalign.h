/* <stdalign.h> of kunwind's own minimal header set (kunwind/frontend/builtin_headers.py). */
#ifndef __KUNWIND_STDALIGN_H
#define __KUNWIND_STDALIGN_H
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 202311L
#define alignas _Alignas
#define alignof _Alignof
#endif
#define __alignas_is_defined 1
#define __alignof_is_defined 1
#endif
