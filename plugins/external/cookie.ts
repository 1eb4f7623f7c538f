import cookie from '@fastify/cookie'

/** Cookie parsing and `reply.setCookie`; cookie attributes are set where the cookies are written (src/auth/cookies.ts). */
export default cookie
