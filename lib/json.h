#ifndef JSON_H
#define JSON_H
#include "mk.h"
#endif
