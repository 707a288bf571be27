// The group tables of requested-attributes. Names follow the IANA IPP registry and
// CUPS's extensions (libcups's ippCreateRequestedArray lists the same groups); the
// 3D, fax-out and System Service names are left out until Quire has such objects.
#include "ipp/attribute_groups.hpp"

#include <set>
#include <string>

namespace quire {
namespace {

using NameSet = std::set<std::string, std::less<>>;

// Attributes a client must name to get (large, and rarely wanted).
constexpr std::string_view kExplicitOnly[] = {"media-col-database"};

// Job template attributes as a job carries them. The printer's side of each is the
// same name plus -default, -supported, -ready and -database; its -actual is a job
// description (actuals) attribute.
constexpr std::string_view kJobTemplateBases[] = {
    "confirmation-sheet-print", "copies", "cover-back", "cover-front", "feed-orientation", "finishings",
    "finishings-col", "font-name-requested", "font-size-requested", "force-front-side", "imposition-template",
    "insert-sheet", "job-account-id", "job-accounting-sheets", "job-accounting-user-id", "job-cancel-after",
    "job-copies", "job-cover-back", "job-cover-front", "job-delay-output-until", "job-delay-output-until-time",
    "job-error-action", "job-error-sheet", "job-finishings", "job-finishings-col", "job-hold-until",
    "job-hold-until-time", "job-message-to-operator", "job-phone-number", "job-priority", "job-recipient-name",
    "job-retain-until", "job-retain-until-interval", "job-save-disposition", "job-sheet-message", "job-sheets",
    "job-sheets-col", "media", "media-col", "media-input-tray-check", "multiple-document-handling",
    "number-up", "number-up-layout", "orientation-requested", "output-bin", "output-device", "output-mode",
    "overrides", "page-delivery", "page-order-received", "page-ranges", "pages-per-subset", "pdl-init-file",
    "presentation-direction-number-up", "print-color-mode", "print-content-optimize", "print-quality",
    "print-rendering-intent", "print-scaling", "printer-resolution", "proof-print", "separator-sheets",
    "sheet-collate", "sides", "x-image-position", "x-image-shift", "x-side1-image-shift",
    "x-side2-image-shift", "y-image-position", "y-image-shift", "y-side1-image-shift", "y-side2-image-shift"};

// Printer attributes in the job template group that are not base+suffix.
constexpr std::string_view kJobTemplatePrinterOnly[] = {
    "insert-after-page-number-supported", "insert-count-supported", "max-stitching-locations-supported",
    "media-back-coating-supported", "media-bottom-margin-supported", "media-color-supported",
    "media-front-coating-supported", "media-grain-supported", "media-hole-count-supported",
    "media-info-supported", "media-key-supported", "media-left-margin-supported",
    "media-order-count-supported", "media-pre-printed-supported", "media-recycled-supported",
    "media-right-margin-supported", "media-size-supported", "media-source-supported",
    "media-thickness-supported", "media-tooth-supported", "media-top-margin-supported",
    "media-type-supported", "media-weight-metric-supported", "stitching-locations-supported",
    "stitching-offset-supported"};

constexpr std::string_view kJobTemplateSuffixes[] = {"", "-default", "-supported", "-ready", "-database"};

// Job status: what the printer reports about a job's progress.
constexpr std::string_view kJobStatus[] = {
    "date-time-at-completed", "date-time-at-creation", "date-time-at-processing", "errors-count",
    "impressions-completed-current-copy", "job-detailed-status-messages", "job-document-access-errors",
    "job-id", "job-impressions-completed", "job-impressions-completed-col", "job-k-octets-completed",
    "job-k-octets-processed", "job-media-progress", "job-media-sheets-completed",
    "job-media-sheets-completed-col", "job-message-from-operator", "job-pages-completed",
    "job-pages-completed-col", "job-pages-completed-current-copy", "job-printer-state-message",
    "job-printer-state-reasons", "job-printer-up-time", "job-printer-uri", "job-state", "job-state-message",
    "job-state-reasons", "job-uri", "number-of-documents", "number-of-intervening-jobs",
    "output-device-assigned", "sheet-completed-copy-number", "sheet-completed-document-number",
    "time-at-completed", "time-at-creation", "time-at-processing", "warnings-count"};

// Job description attributes that are neither status nor actuals.
constexpr std::string_view kJobDescriptionOnly[] = {
    "compression-supplied", "current-page-order", "destination-statuses", "document-charset-supplied",
    "document-format-details-supplied", "document-format-supplied", "document-metadata",
    "document-name-supplied", "document-natural-language-supplied", "job-attribute-fidelity",
    "job-charge-info", "job-collation-type", "job-impressions", "job-impressions-col", "job-k-octets",
    "job-mandatory-attributes", "job-media-sheets", "job-media-sheets-col", "job-more-info", "job-name",
    "job-originating-host-name", "job-originating-user-name", "job-originating-user-uri", "job-pages",
    "job-pages-col", "job-uuid", "original-requesting-user-name"};

constexpr std::string_view kPrinterDescription[] = {
    "auth-info-required", "charset-configured", "charset-supported", "color-supported",
    "compression-supported", "device-service-count", "device-uri", "device-uuid", "document-charset-default",
    "document-charset-supported", "document-creation-attributes-supported", "document-format-default",
    "document-format-details-default", "document-format-details-supported", "document-format-preferred",
    "document-format-supported", "document-format-varying-attributes", "document-format-version-default",
    "document-format-version-supported", "document-natural-language-default",
    "document-natural-language-supported", "document-password-supported",
    "generated-natural-language-supported", "identify-actions-default", "identify-actions-supported",
    "ipp-features-supported", "ipp-versions-supported", "ippget-event-life", "job-constraints-supported",
    "job-creation-attributes-supported", "job-ids-supported", "job-impressions-supported", "job-k-limit",
    "job-k-octets-supported", "job-media-sheets-supported", "job-page-limit",
    "job-password-encryption-supported", "job-password-supported", "job-presets-supported",
    "job-quota-period", "job-resolvers-supported", "job-settable-attributes-supported",
    "job-spooling-supported", "jpeg-k-octets-supported", "jpeg-x-dimension-supported",
    "jpeg-y-dimension-supported", "marker-change-time", "marker-colors", "marker-high-levels",
    "marker-levels", "marker-low-levels", "marker-message", "marker-names", "marker-types", "member-names",
    "member-uris", "mopria-certified", "multiple-document-jobs-supported", "multiple-operation-time-out",
    "multiple-operation-time-out-action", "natural-language-configured", "operations-supported",
    "pages-per-minute", "pages-per-minute-color", "pdf-k-octets-supported", "pdf-versions-supported",
    "pdl-override-supported", "port-monitor", "port-monitor-supported", "preferred-attributes-supported",
    "printer-alert", "printer-alert-description", "printer-charge-info", "printer-charge-info-uri",
    "printer-commands", "printer-config-change-date-time", "printer-config-change-time",
    "printer-current-time", "printer-detailed-status-messages", "printer-device-id", "printer-dns-sd-name",
    "printer-driver-installer", "printer-error-policy", "printer-error-policy-supported", "printer-firmware-name", "printer-firmware-patches",
    "printer-firmware-string-version", "printer-firmware-version", "printer-geo-location",
    "printer-get-attributes-supported", "printer-icc-profiles", "printer-icons", "printer-id",
    "printer-info", "printer-input-tray", "printer-is-accepting-jobs", "printer-is-shared",
    "printer-is-temporary", "printer-kind", "printer-location", "printer-make-and-model",
    "printer-mandatory-job-attributes", "printer-message-date-time", "printer-message-from-operator",
    "printer-message-time", "printer-more-info", "printer-more-info-manufacturer", "printer-name",
    "printer-native-formats", "printer-op-policy", "printer-op-policy-supported", "printer-organization", "printer-organizational-unit", "printer-output-tray",
    "printer-settable-attributes-supported", "printer-state", "printer-state-change-date-time",
    "printer-state-change-time", "printer-state-message", "printer-state-reasons",
    "printer-strings-languages-supported", "printer-strings-uri", "printer-supply",
    "printer-supply-description", "printer-supply-info-uri", "printer-type", "printer-up-time",
    "printer-uri-supported", "printer-uuid", "printer-xri-supported",
    "pwg-raster-document-resolution-supported", "pwg-raster-document-sheet-back",
    "pwg-raster-document-type-supported", "queued-job-count", "reference-uri-schemes-supported",
    "requesting-user-name-allowed", "requesting-user-name-denied", "requesting-user-uri-supported",
    "urf-supported", "uri-authentication-supported", "uri-security-supported", "which-jobs-supported",
    "xri-authentication-supported", "xri-security-supported", "xri-uri-scheme-supported"};

struct GroupSets {
  NameSet job_template;
  NameSet job_description_only;
  NameSet job_status;
  NameSet job_actuals;
  NameSet printer_description;
};

void insert_all(NameSet& set, const auto& names) {
  for (std::string_view n : names)
    if (!is_explicit_only_attribute(n)) set.emplace(n);
}

GroupSets make_group_sets() {
  GroupSets g;
  for (std::string_view base : kJobTemplateBases) {
    for (std::string_view suffix : kJobTemplateSuffixes) {
      std::string name = std::string(base) + std::string(suffix);
      if (!is_explicit_only_attribute(name)) g.job_template.insert(std::move(name));
    }
    g.job_actuals.insert(std::string(base) + "-actual");
  }
  insert_all(g.job_template, kJobTemplatePrinterOnly);
  insert_all(g.job_status, kJobStatus);
  insert_all(g.job_description_only, kJobDescriptionOnly);
  insert_all(g.printer_description, kPrinterDescription);
  return g;
}

const GroupSets& group_sets() {
  static const GroupSets sets = make_group_sets();  // built once, thread-safe
  return sets;
}

}  // namespace

unsigned attribute_group_bit(std::string_view keyword) {
  if (keyword == "job-template") return kJobTemplateGroup;
  if (keyword == "job-description") return kJobDescriptionGroup;
  if (keyword == "job-status") return kJobStatusGroup;
  if (keyword == "job-actuals") return kJobActualsGroup;
  if (keyword == "printer-description") return kPrinterDescriptionGroup;
  return 0;
}

bool is_in_attribute_groups(unsigned groups, std::string_view name) {
  const GroupSets& g = group_sets();
  // RFC 8011's job description group includes the status attributes; the actuals
  // (PWG 5100.8) are job description attributes too.
  if (groups & kJobDescriptionGroup) groups |= kJobStatusGroup | kJobActualsGroup;
  return ((groups & kJobTemplateGroup) && g.job_template.contains(name)) ||
         ((groups & kJobDescriptionGroup) && g.job_description_only.contains(name)) ||
         ((groups & kJobStatusGroup) && g.job_status.contains(name)) ||
         ((groups & kJobActualsGroup) && g.job_actuals.contains(name)) ||
         ((groups & kPrinterDescriptionGroup) && g.printer_description.contains(name));
}

bool is_job_status_attribute(std::string_view name) { return group_sets().job_status.contains(name); }

bool is_explicit_only_attribute(std::string_view name) {
  for (std::string_view n : kExplicitOnly)
    if (n == name) return true;
  return false;
}

}  // namespace quire
