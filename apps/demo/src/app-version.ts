/** The app version manifests' `min_app_version` is compared with, in every host the demo opens (page too). */
export const DEMO_APP_VERSION = '1.0.0';
