/* <stdnoreturn.h> of kunwind's own minimal header set (kunwind/frontend/builtin_headers.py). */
#ifndef __KUNWIND_STDNORETURN_H
#define __KUNWIND_STDNORETURN_H
#define noreturn _Noreturn
#endif
