// The value sets a Quire printer supports: printer_attributes.cpp advertises them and
// job_template.cpp enforces them, so both read this one table and cannot disagree.
// Pure data and functions over a PrinterDescription; safe from any thread.
#pragma once

#include "quire/printer_attributes.hpp"

#include <cups/ipp.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace quire::capabilities {

inline constexpr int kCopiesDefault = 1;
inline constexpr int kJobPriorityMin = 1;
inline constexpr int kJobPriorityMax = 100;
inline constexpr int kJobPriorityDefault = 50;
inline constexpr int kNumberUpDefault = 1;
// No throughput is configured; 1 is what CUPS advertises when a driver says nothing.
inline constexpr int kPagesPerMinute = 1;
// Seconds a Create-Job may wait for its next Send-Document (CUPS's MultipleOperationTimeout).
inline constexpr int kMultipleOperationTimeOut = 900;

inline constexpr std::string_view kJobHoldUntilDefault = "no-hold";
inline constexpr std::array<std::string_view, 8> kJobHoldUntil = {
    "no-hold", "indefinite", "day-time", "evening", "night", "second-shift", "third-shift", "weekend"};

inline constexpr std::string_view kJobSheetsDefault = "none";
inline constexpr std::array<std::string_view, 2> kJobSheets = {"none", "standard"};

inline constexpr std::array<int, 6> kNumberUp = {1, 2, 4, 6, 9, 16};

inline constexpr int kPrintQualityDefault = IPP_QUALITY_NORMAL;
inline constexpr std::array<int, 3> kPrintQuality = {IPP_QUALITY_DRAFT, IPP_QUALITY_NORMAL, IPP_QUALITY_HIGH};

inline constexpr int kOrientationDefault = IPP_ORIENT_PORTRAIT;
inline constexpr std::array<int, 4> kOrientations = {IPP_ORIENT_PORTRAIT, IPP_ORIENT_LANDSCAPE,
                                                     IPP_ORIENT_REVERSE_LANDSCAPE, IPP_ORIENT_REVERSE_PORTRAIT};

// Finishing hardware is not configurable yet, so only "none".
inline constexpr int kFinishingsDefault = IPP_FINISHINGS_NONE;
inline constexpr std::array<int, 1> kFinishings = {IPP_FINISHINGS_NONE};

inline constexpr std::string_view kOutputBinDefault = "face-down";
inline constexpr std::array<std::string_view, 1> kOutputBins = {"face-down"};

inline constexpr std::string_view kMultipleDocumentHandlingDefault = "separate-documents-uncollated-copies";
inline constexpr std::array<std::string_view, 2> kMultipleDocumentHandling = {
    "separate-documents-uncollated-copies", "separate-documents-collated-copies"};

inline constexpr std::string_view kPrintScalingDefault = "auto";
inline constexpr std::array<std::string_view, 5> kPrintScaling = {"auto", "auto-fit", "fill", "fit", "none"};

inline constexpr std::array<std::string_view, 1> kCompression = {"none"};

// Job template and operation attributes a job creation request may carry
// (job-creation-attributes-supported) and those Set-Job-Attributes may change.
inline constexpr std::array<std::string_view, 19> kJobCreationAttributes = {
    "copies",          "finishings",     "ipp-attribute-fidelity", "job-hold-until",
    "job-name",        "job-priority",   "job-sheets",             "media",
    "media-col",       "multiple-document-handling",               "number-up",
    "orientation-requested",             "output-bin",             "page-ranges",
    "print-color-mode", "print-quality", "print-scaling",          "printer-resolution",
    "sides"};
inline constexpr std::array<std::string_view, 17> kJobSettableAttributes = {
    "copies",          "finishings",     "job-hold-until",   "job-name",
    "job-priority",    "media",          "media-col",        "multiple-document-handling",
    "number-up",       "orientation-requested",              "output-bin",
    "page-ranges",     "print-color-mode",                   "print-quality",
    "print-scaling",   "printer-resolution",                 "sides"};

inline constexpr std::array<std::string_view, 9> kWhichJobs = {
    "completed", "not-completed", "aborted", "all", "canceled",
    "pending",   "pending-held",  "processing", "processing-stopped"};

inline constexpr std::string_view kOctetStream = "application/octet-stream";
inline constexpr std::string_view kCupsRaw = "application/vnd.cups-raw";  // printed unfiltered
inline constexpr std::string_view kPwgRaster = "image/pwg-raster";

// sides-supported: one-sided, plus both two-sided values on a duplexer.
std::vector<std::string_view> sides(const PrinterDescription& printer);
// print-color-mode-supported: auto and monochrome, plus color on a color printer.
std::vector<std::string_view> color_modes(const PrinterDescription& printer);
std::string_view color_mode_default(const PrinterDescription& printer);
// document-format-supported; never empty (application/octet-stream when none is set).
std::vector<std::string> document_formats(const PrinterDescription& printer);
std::string document_format_default(const PrinterDescription& printer);
// printer-resolution-supported in dpi, positive and without duplicates; never empty.
// The first is the default.
std::vector<int> resolutions(const PrinterDescription& printer);

template <typename Range, typename Value>
bool contains(const Range& range, const Value& value) {
  for (const auto& v : range)
    if (v == value) return true;
  return false;
}

}  // namespace quire::capabilities
