// The Received-SPF header field (RFC 7208 §9.1):
//   Received-SPF: pass (comment) client-ip=192.0.2.1;
//   	envelope-from="a@example.com"; helo=mail.example.com;
//   	mechanism=mx; receiver=mx.example.net; identity=mailfrom
// Values are written as dot-atoms where they are one, else as quoted
// strings (RFC 5322 §3.2.3, §3.2.4); problem= only for temperror and
// permerror, mechanism= only when a directive matched. Lines are folded
// before 78 columns with CRLF and a tab (RFC 5322 §2.1.1, §3.2.2).
//
// Pure; safe from any thread.
#pragma once

#include <string>

#include "spf/check.h"

namespace mox::spf {

// The whole field with its final CRLF.
std::string received_spf_header(const Received& r, const Query& q);

// The comment of the field without parentheses, e.g. "mx.example.net:
// domain of a@example.com designates 192.0.2.1 as permitted sender".
std::string result_comment(const Received& r, const Query& q);

}  // namespace mox::spf
