/* nsslib.h - NSS opened with dlopen on first use, not linked.
 *
 * Linked, libnss3, libnssutil3, libsmime3 and libnspr4 (BIND_NOW on
 * Debian) cost every start of the host about 0.5 ms before main(), also
 * the many starts that never touch a certificate (hello, a lookup that
 * finds nothing; tests/bench/README.md, issue 15). So they are opened the
 * first time crypto_init() runs, and every NSS function the host calls
 * goes through one table of typed function pointers.
 *
 * Use: an NSS-using .c includes this header after its NSS headers. The
 * #defines at the end turn each call of an NSS function into a call
 * through the table, so the code keeps calling NSS by NSS's names. The
 * executable links no NSS at all (host/meson.build), so a call this
 * header does not redirect is a link error there, not a silent link.
 * Adding a function: one X() line in NSSLIB_FUNCTIONS and one #define
 * (the compiler checks that each #define has its field).
 *
 * Single-threaded, like the rest of the host. Never include this from
 * the PKCS#11 module (token/pkcs11mod.c and what it is built from): it
 * runs inside someone else's NSS and links none.
 */
#ifndef DS_NSSLIB_H
#define DS_NSSLIB_H

#include <stddef.h>

#include <cert.h>
#include <certdb.h>
#include <cms.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secasn1.h>
#include <secder.h>
#include <secitem.h>
#include <secmod.h>
#include <secoid.h>
#include <secport.h>
#include <sechash.h>
#include <utilpars.h>

/* Every NSS function the host calls, with the library exporting it:
 * NSPR (libnspr4), NSSUTIL (libnssutil3), NSS3 (libnss3), SMIME
 * (libsmime3). */
#define NSSLIB_FUNCTIONS(X) \
	X(NSS3, CERT_AddCertToListTail) \
	X(NSS3, CERT_ChangeCertTrust) \
	X(NSS3, CERT_CreateSubjectCertList) \
	X(NSS3, CERT_DecodeAuthKeyID) \
	X(NSS3, CERT_DecodeBasicConstraintValue) \
	X(NSS3, CERT_DecodeTrustString) \
	X(NSS3, CERT_DestroyCertList) \
	X(NSS3, CERT_DestroyCertificate) \
	X(NSS3, CERT_DupCertificate) \
	X(NSS3, CERT_ExtractPublicKey) \
	X(NSS3, CERT_FindCertExtension) \
	X(NSS3, CERT_GetAVATag) \
	X(NSS3, CERT_GetCertTimes) \
	X(NSS3, CERT_GetCertTrust) \
	X(NSS3, CERT_GetDefaultCertDB) \
	X(NSS3, CERT_NameToAscii) \
	X(NSS3, CERT_NewCertList) \
	X(NSS3, CERT_NewTempCertificate) \
	X(NSS3, CERT_PKIXVerifyCert) \
	X(NSS3, CERT_SetSlopTime) \
	X(NSS3, CERT_VerifySignedDataWithPublicKeyInfo) \
	X(NSS3, DER_GetInteger) \
	X(NSS3, HASH_GetHashTypeByOidTag) \
	X(NSS3, HASH_ResultLen) \
	X(NSSUTIL, NSSUTIL_Quote) \
	X(SMIME, NSS_CMSContentInfo_GetContent) \
	X(SMIME, NSS_CMSContentInfo_GetContentTypeTag) \
	X(SMIME, NSS_CMSMessage_ContentLevel) \
	X(SMIME, NSS_CMSMessage_CreateFromDER) \
	X(SMIME, NSS_CMSMessage_Destroy) \
	X(SMIME, NSS_CMSSignedData_GetContentInfo) \
	X(SMIME, NSS_CMSSignedData_GetSignerInfo) \
	X(SMIME, NSS_CMSSignedData_ImportCerts) \
	X(SMIME, NSS_CMSSignedData_SignerInfoCount) \
	X(SMIME, NSS_CMSSignerInfo_GetSigningCertificate) \
	X(SMIME, NSS_CMSSignerInfo_GetSigningTime) \
	X(SMIME, NSS_CMSSignerInfo_GetVerificationStatus) \
	X(SMIME, NSS_CMSSignerInfo_Verify) \
	X(NSS3, NSS_InitContext) \
	X(NSS3, NSS_ShutdownContext) \
	X(NSS3, PK11_CreateDigestContext) \
	X(NSS3, PK11_DestroyContext) \
	X(NSS3, PK11_DestroyGenericObjects) \
	X(NSS3, PK11_DigestBegin) \
	X(NSS3, PK11_DigestFinal) \
	X(NSS3, PK11_DigestOp) \
	X(NSS3, PK11_FindCertFromDERCertItem) \
	X(NSS3, PK11_FindCertInSlot) \
	X(NSS3, PK11_FindGenericObjects) \
	X(NSS3, PK11_FreeSlot) \
	X(NSS3, PK11_GetTokenName) \
	X(NSS3, PK11_HashBuf) \
	X(NSS3, PK11_ImportCert) \
	X(NSS3, PK11_InitPin) \
	X(NSS3, PK11_IsLoggedIn) \
	X(NSS3, PK11_IsPresent) \
	X(NSS3, PK11_IsReadOnly) \
	X(NSS3, PK11_NeedLogin) \
	X(NSS3, PK11_NeedUserInit) \
	X(NSS3, PORT_Free) \
	X(NSS3, PORT_FreeArena) \
	X(NSS3, PORT_GetError) \
	X(NSS3, PORT_NewArena) \
	X(NSS3, PORT_SetError) \
	X(NSPR, PR_ErrorToName) \
	X(NSPR, PR_GetError) \
	X(NSS3, SECITEM_DupItem) \
	X(NSS3, SECITEM_FreeItem) \
	X(NSS3, SECITEM_ItemsAreEqual) \
	X(NSS3, SECKEY_DecodeDERSubjectPublicKeyInfo) \
	X(NSS3, SECKEY_DestroyPublicKey) \
	X(NSS3, SECKEY_DestroySubjectPublicKeyInfo) \
	X(NSS3, SECKEY_GetPublicKeyType) \
	X(NSS3, SECKEY_PublicKeyStrengthInBits) \
	X(NSS3, SECMOD_CloseUserDB) \
	X(NSS3, SECMOD_DestroyModule) \
	X(NSS3, SECMOD_LoadUserModule) \
	X(NSS3, SECMOD_OpenUserDB) \
	X(NSS3, SECMOD_UnloadUserModule) \
	X(NSS3, SECOID_FindOIDTag) \
	X(NSS3, SECOID_GetAlgorithmTag) \
	X(NSS3, SEC_ASN1EncodeItem)

struct nsslib {
#define NSSLIB_FIELD(lib, name) __typeof__(&name) name;
	NSSLIB_FUNCTIONS(NSSLIB_FIELD)
#undef NSSLIB_FIELD
	/* cert.h's CERT_DecodeDERCertificate, which libnss3 exports only
	 * as __CERT_DecodeDERCertificate (certs.c says why we use it). */
	__typeof__(&CERT_DecodeDERCertificate) decode_der_cert;
	/* secoid.h's data symbol (pkix.c, SEC_ASN1_GET). */
	const SEC_ASN1Template *SECOID_AlgorithmIDTemplate;
};

/* The table once loaded, else NULL. */
extern const struct nsslib *nsslib_table;

/* Opens the four libraries and resolves the table; later calls return
 * at once. 0, or -1 with err saying which library or function is
 * missing (nothing stays open then; a later call tries again). */
int nsslib_load(char *err, size_t errlen);

/* nsslib_load, or, when it fails, a message on stderr and abort(): the
 * safety net of nsslib() below. crypto_init() loads the table first and
 * fails cleanly, and no NSS call is made before it. */
const struct nsslib *nsslib_load_or_abort(void);

static inline const struct nsslib *
nsslib(void)
{
	return nsslib_table != NULL ? nsslib_table : nsslib_load_or_abort();
}

#ifndef NSSLIB_NO_REDIRECT
/* A function, not a #define: certs.c, certstore.c and pkix.c declare
 * __CERT_DecodeDERCertificate themselves (extern after static keeps it
 * internal, C11 6.2.2p4). */
static inline CERTCertificate *
__CERT_DecodeDERCertificate(SECItem *der, PRBool copy, char *nickname)
{
	return nsslib()->decode_der_cert(der, copy, nickname);
}

#define CERT_AddCertToListTail		(nsslib()->CERT_AddCertToListTail)
#define CERT_ChangeCertTrust		(nsslib()->CERT_ChangeCertTrust)
#define CERT_CreateSubjectCertList	(nsslib()->CERT_CreateSubjectCertList)
#define CERT_DecodeAuthKeyID		(nsslib()->CERT_DecodeAuthKeyID)
#define CERT_DecodeBasicConstraintValue	(nsslib()->CERT_DecodeBasicConstraintValue)
#define CERT_DecodeTrustString		(nsslib()->CERT_DecodeTrustString)
#define CERT_DestroyCertList		(nsslib()->CERT_DestroyCertList)
#define CERT_DestroyCertificate		(nsslib()->CERT_DestroyCertificate)
#define CERT_DupCertificate		(nsslib()->CERT_DupCertificate)
#define CERT_ExtractPublicKey		(nsslib()->CERT_ExtractPublicKey)
#define CERT_FindCertExtension		(nsslib()->CERT_FindCertExtension)
#define CERT_GetAVATag			(nsslib()->CERT_GetAVATag)
#define CERT_GetCertTimes		(nsslib()->CERT_GetCertTimes)
#define CERT_GetCertTrust		(nsslib()->CERT_GetCertTrust)
#define CERT_GetDefaultCertDB		(nsslib()->CERT_GetDefaultCertDB)
#define CERT_NameToAscii		(nsslib()->CERT_NameToAscii)
#define CERT_NewCertList		(nsslib()->CERT_NewCertList)
#define CERT_NewTempCertificate		(nsslib()->CERT_NewTempCertificate)
#define CERT_PKIXVerifyCert		(nsslib()->CERT_PKIXVerifyCert)
#define CERT_SetSlopTime		(nsslib()->CERT_SetSlopTime)
#define CERT_VerifySignedDataWithPublicKeyInfo	(nsslib()->CERT_VerifySignedDataWithPublicKeyInfo)
#define DER_GetInteger			(nsslib()->DER_GetInteger)
#define HASH_GetHashTypeByOidTag	(nsslib()->HASH_GetHashTypeByOidTag)
#define HASH_ResultLen			(nsslib()->HASH_ResultLen)
#define NSSUTIL_Quote			(nsslib()->NSSUTIL_Quote)
#define NSS_CMSContentInfo_GetContent	(nsslib()->NSS_CMSContentInfo_GetContent)
#define NSS_CMSContentInfo_GetContentTypeTag	(nsslib()->NSS_CMSContentInfo_GetContentTypeTag)
#define NSS_CMSMessage_ContentLevel	(nsslib()->NSS_CMSMessage_ContentLevel)
#define NSS_CMSMessage_CreateFromDER	(nsslib()->NSS_CMSMessage_CreateFromDER)
#define NSS_CMSMessage_Destroy		(nsslib()->NSS_CMSMessage_Destroy)
#define NSS_CMSSignedData_GetContentInfo	(nsslib()->NSS_CMSSignedData_GetContentInfo)
#define NSS_CMSSignedData_GetSignerInfo	(nsslib()->NSS_CMSSignedData_GetSignerInfo)
#define NSS_CMSSignedData_ImportCerts	(nsslib()->NSS_CMSSignedData_ImportCerts)
#define NSS_CMSSignedData_SignerInfoCount	(nsslib()->NSS_CMSSignedData_SignerInfoCount)
#define NSS_CMSSignerInfo_GetSigningCertificate	(nsslib()->NSS_CMSSignerInfo_GetSigningCertificate)
#define NSS_CMSSignerInfo_GetSigningTime	(nsslib()->NSS_CMSSignerInfo_GetSigningTime)
#define NSS_CMSSignerInfo_GetVerificationStatus	(nsslib()->NSS_CMSSignerInfo_GetVerificationStatus)
#define NSS_CMSSignerInfo_Verify	(nsslib()->NSS_CMSSignerInfo_Verify)
#define NSS_InitContext			(nsslib()->NSS_InitContext)
#define NSS_ShutdownContext		(nsslib()->NSS_ShutdownContext)
#define PK11_CreateDigestContext	(nsslib()->PK11_CreateDigestContext)
#define PK11_DestroyContext		(nsslib()->PK11_DestroyContext)
#define PK11_DestroyGenericObjects	(nsslib()->PK11_DestroyGenericObjects)
#define PK11_DigestBegin		(nsslib()->PK11_DigestBegin)
#define PK11_DigestFinal		(nsslib()->PK11_DigestFinal)
#define PK11_DigestOp			(nsslib()->PK11_DigestOp)
#define PK11_FindCertFromDERCertItem	(nsslib()->PK11_FindCertFromDERCertItem)
#define PK11_FindCertInSlot		(nsslib()->PK11_FindCertInSlot)
#define PK11_FindGenericObjects		(nsslib()->PK11_FindGenericObjects)
#define PK11_FreeSlot			(nsslib()->PK11_FreeSlot)
#define PK11_GetTokenName		(nsslib()->PK11_GetTokenName)
#define PK11_HashBuf			(nsslib()->PK11_HashBuf)
#define PK11_ImportCert			(nsslib()->PK11_ImportCert)
#define PK11_InitPin			(nsslib()->PK11_InitPin)
#define PK11_IsLoggedIn			(nsslib()->PK11_IsLoggedIn)
#define PK11_IsPresent			(nsslib()->PK11_IsPresent)
#define PK11_IsReadOnly			(nsslib()->PK11_IsReadOnly)
#define PK11_NeedLogin			(nsslib()->PK11_NeedLogin)
#define PK11_NeedUserInit		(nsslib()->PK11_NeedUserInit)
#define PORT_Free			(nsslib()->PORT_Free)
#define PORT_FreeArena			(nsslib()->PORT_FreeArena)
#define PORT_GetError			(nsslib()->PORT_GetError)
#define PORT_NewArena			(nsslib()->PORT_NewArena)
#define PORT_SetError			(nsslib()->PORT_SetError)
#define PR_ErrorToName			(nsslib()->PR_ErrorToName)
#define PR_GetError			(nsslib()->PR_GetError)
#define SECITEM_DupItem			(nsslib()->SECITEM_DupItem)
#define SECITEM_FreeItem		(nsslib()->SECITEM_FreeItem)
#define SECITEM_ItemsAreEqual		(nsslib()->SECITEM_ItemsAreEqual)
#define SECKEY_DecodeDERSubjectPublicKeyInfo	(nsslib()->SECKEY_DecodeDERSubjectPublicKeyInfo)
#define SECKEY_DestroyPublicKey		(nsslib()->SECKEY_DestroyPublicKey)
#define SECKEY_DestroySubjectPublicKeyInfo	(nsslib()->SECKEY_DestroySubjectPublicKeyInfo)
#define SECKEY_GetPublicKeyType		(nsslib()->SECKEY_GetPublicKeyType)
#define SECKEY_PublicKeyStrengthInBits	(nsslib()->SECKEY_PublicKeyStrengthInBits)
#define SECMOD_CloseUserDB		(nsslib()->SECMOD_CloseUserDB)
#define SECMOD_DestroyModule		(nsslib()->SECMOD_DestroyModule)
#define SECMOD_LoadUserModule		(nsslib()->SECMOD_LoadUserModule)
#define SECMOD_OpenUserDB		(nsslib()->SECMOD_OpenUserDB)
#define SECMOD_UnloadUserModule		(nsslib()->SECMOD_UnloadUserModule)
#define SECOID_FindOIDTag		(nsslib()->SECOID_FindOIDTag)
#define SECOID_GetAlgorithmTag		(nsslib()->SECOID_GetAlgorithmTag)
#define SEC_ASN1EncodeItem		(nsslib()->SEC_ASN1EncodeItem)
#define SECOID_AlgorithmIDTemplate	(nsslib()->SECOID_AlgorithmIDTemplate)
#endif

#endif
