/** The key distribution center screens (C1–C6). */
import './kdc.css';

export { KdcDistributionPage } from './distribution-page';
export { KdcPrincipalsPage } from './principals-page';
export { KdcAttacksPage } from './attacks-page';
export { KdcKeysPage } from './keys-page';
