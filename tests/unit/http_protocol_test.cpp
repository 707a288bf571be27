// Routing and header rules of the HTTP front end, without sockets.
#include "http/http_protocol.hpp"

#include <gtest/gtest.h>

namespace quire::http {
namespace {

TEST(HttpRouting, IppPostGoesToIpp) {
  for (const char* target : {"/", "/printers/demo", "/classes/all", "/jobs/12", "/admin", "/admin/", "/ipp/print"})
    EXPECT_EQ(route_request("POST", target, "application/ipp", false), Route::kIpp) << target;
  EXPECT_EQ(route_request("POST", "/printers/demo", "Application/IPP; charset=x", false), Route::kIpp);
}

TEST(HttpRouting, IppResourcesAreWholeSegments) {
  EXPECT_FALSE(is_ipp_resource("/printersfoo"));
  EXPECT_FALSE(is_ipp_resource("/administrator"));
  EXPECT_TRUE(is_ipp_resource("/printers?which=all"));
  EXPECT_EQ(route_request("POST", "/printersfoo", "application/ipp", false), Route::kNotFound);
}

TEST(HttpRouting, FormPostsGoToTheWebHandlerExceptOnIppOnlyResources) {
  EXPECT_EQ(route_request("POST", "/admin", "application/x-www-form-urlencoded", true), Route::kWeb);
  EXPECT_EQ(route_request("POST", "/admin", "application/x-www-form-urlencoded", false),
            Route::kUnsupportedMediaType);
  EXPECT_EQ(route_request("POST", "/", "text/plain", true), Route::kUnsupportedMediaType);
  EXPECT_EQ(route_request("POST", "/ipp/print", "", true), Route::kUnsupportedMediaType);
}

TEST(HttpRouting, OtherMethods) {
  EXPECT_EQ(route_request("GET", "/", "", false), Route::kNotFound);
  EXPECT_EQ(route_request("GET", "/", "", true), Route::kWeb);
  EXPECT_EQ(route_request("HEAD", "/", "", true), Route::kWeb);
  EXPECT_EQ(route_request("PUT", "/admin/conf/cupsd.conf", "", true), Route::kWeb);
  EXPECT_EQ(route_request("OPTIONS", "*", "", false), Route::kOptions);
  for (const char* method : {"DELETE", "TRACE", "PATCH", "CONNECT", "get", "BREW"})
    EXPECT_EQ(route_request(method, "/", "", true), Route::kMethodNotAllowed) << method;
}

TEST(HttpHeaders, ExpectContinue) {
  EXPECT_TRUE(expects_100_continue("100-continue"));
  EXPECT_TRUE(expects_100_continue(" 100-Continue "));
  EXPECT_FALSE(expects_100_continue(""));
  EXPECT_FALSE(expects_100_continue("200-ok"));
}

TEST(HttpHeaders, DateIsAnImfFixdate) {
  EXPECT_EQ(format_http_date(std::chrono::system_clock::from_time_t(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace quire::http
