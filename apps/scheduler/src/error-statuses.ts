import { type ErrorStatuses, errorsOf } from '@bookstore/service-kit'

export type SchedulerErrorCode = 'SCHEDULE_NOT_FOUND'
export const schedulerError = errorsOf<SchedulerErrorCode>()

/** The HTTP status of each code the scheduler raises. */
export const schedulerErrorStatuses = {
  SCHEDULE_NOT_FOUND: 404,
} as const satisfies ErrorStatuses<SchedulerErrorCode>
