// Export profiles offered in the Export dialog. To offer P2 later, set its
// `enabled` to true (and the backend must accept profile "p2").

import type { ExportProfile } from "./types";

export interface ProfileInfo {
  id: ExportProfile;
  label: string;
  description: string;
  enabled: boolean;
  /** shown next to a disabled profile */
  note: string | null;
}

export const EXPORT_PROFILES: readonly ProfileInfo[] = [
  {
    id: "p1",
    label: "CDS draft 2024-08-29 (with values)",
    description: "One JSON file with the certificates and all their values.",
    enabled: true,
    note: null,
  },
  {
    id: "p2",
    label: "CDS-WG3-01 v1 bundle",
    description: "The bundle format of the CDS working group.",
    enabled: false,
    note: "coming soon",
  },
];

export function defaultProfile(): ExportProfile {
  return (EXPORT_PROFILES.find((p) => p.enabled) ?? EXPORT_PROFILES[0]).id;
}
